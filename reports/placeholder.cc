// Replaced by the renderers.
namespace tcpstate {}
