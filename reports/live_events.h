#pragma once

#include <string>

#include "analyzer/live.h"

namespace tcpstate {

// JSON Lines events of a live capture (tcpstate -i, stdout not a
// terminal), one object per line; docs/live.md lists the fields.
// Pure functions of their arguments.

// {"type":"state","time":...,"connection":ID,"client":"A:P",...}\n
std::string RenderJsonlStateEvent(const StateChangeEvent& event);

// {"type":"anomaly","time":...,"connection":ID,...,"kind":...}\n
std::string RenderJsonlAnomalyEvent(const AnomalyEvent& event);

}  // namespace tcpstate
