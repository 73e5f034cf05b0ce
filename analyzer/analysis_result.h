#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "analyzer/anomaly.h"
#include "analyzer/capture/packet_source.h"
#include "analyzer/role_rule.h"
#include "analyzer/tcp_state.h"
#include "dissectors/decode_counters.h"
#include "dissectors/ip_address.h"

namespace tcpstate {

// The plain value model every report renders. Reports see nothing else of
// the analyzer. All vectors are in a deterministic order.

// How sure we are of an endpoint's final state.
enum class Certainty : uint8_t {
  kConfirmed,  // the endpoint's own packets, or its peer's ACKs, prove it
  kInferred,   // follows from segments the endpoint was assumed to receive
  kUnknown,    // the capture cannot tell (state is then usually UNKNOWN)
};
const char* CertaintyName(Certainty c);

struct StateChange {
  absl::Time t;
  uint64_t packet = 0;  // packet number that caused (or proved) the change
  TcpState state = TcpState::kUnknown;
};

struct NegotiatedOptions {
  std::optional<uint16_t> mss;
  std::optional<uint8_t> window_scale;
  bool sack_permitted = false;
  bool timestamps = false;
  bool tfo = false;
};

// Why an endpoint may be in a state other than the one reported: what the
// capture cannot rule out (analyzer/possible_states.cc has the rules;
// reports word them). Stable ids: PossibleReasonId.
enum class PossibleReason : uint8_t {
  kReceiptLost,       // the segment `packet` it was assumed to get was lost
                      // after the capture point
  kPeerFinArrived,    // the peer's FIN (`packet`) reached it; its answers
                      // were lost before the capture point
  kClosedBehindData,  // the application closed; its FIN waits behind
                      // `amount` unacknowledged bytes
  kClosedBehindZeroWindow,  // the application closed; its FIN waits
                            // behind data the peer's zero window holds back
  kClosedUnseen,      // it closed after its last segment seen, its FIN lost
                      // before the capture point
  kAbortedUnseen,     // it aborted after its last segment seen, its RST
                      // lost before the capture point
  kFinOrderUnseen,    // its FIN, never seen, and the peer's crossed the
                      // other way round
  kRstArrived,        // the RST (`packet`) reached it after all
  kStillRetrying,     // still retrying: its retransmissions were lost before
                      // the capture point (Linux gives up after `amount` s)
  kGaveUp,            // it gave up sooner: the application closed, or a stack
                      // that retries less
  kSynCookie,         // it answered with a SYN cookie and kept no state
  kLongerTimeWait,    // its TIME_WAIT lasts longer (`amount` s: Windows)
  kClosedBeforeCapture,  // mid-stream: a FIN before the capture started
};
inline constexpr size_t kNumPossibleReasons =
    static_cast<size_t>(PossibleReason::kClosedBeforeCapture) + 1;
// "receipt_lost", "peer_fin_arrived", ... (stable, snake_case).
const char* PossibleReasonId(PossibleReason r);

// One other state an endpoint may be in, and why (one reason or two, in
// the order they would have happened).
struct PossibleState {
  TcpState state = TcpState::kUnknown;
  std::vector<PossibleReason> reasons;
  uint64_t packet = 0;  // the segment the reasons name (0: none)
  uint64_t amount = 0;  // bytes or seconds, as the reason says
};

// Round trips of the data an endpoint sent: from a data segment to the
// peer's ACK of exactly its end, none from data sent twice (Karn's rule);
// analyzer/rtt_tracker.h. Zero samples: no round trip was measured.
struct RttSummary {
  uint32_t samples = 0;
  absl::Duration min;
  absl::Duration mean;
  absl::Duration max;
  absl::Duration stddev;
};

struct EndpointRecord {
  IpAddress addr;
  uint16_t port = 0;
  TcpState state = TcpState::kUnknown;
  Certainty certainty = Certainty::kUnknown;
  std::optional<uint32_t> isn;
  // The first SYN or SYN-ACK this endpoint sent (set when `isn` is): when,
  // which packet, its IPv4 ID and TCP timestamp value (ISN analysis).
  absl::Time isn_time;
  uint64_t isn_packet = 0;
  std::optional<uint16_t> syn_ip_id;  // IPv4 only
  std::optional<uint32_t> syn_tsval;
  uint64_t packets = 0;
  uint64_t payload_bytes = 0;  // payload bytes by sequence space
  uint64_t missed_bytes = 0;   // of those, bytes the capture never saw
  uint64_t ip_bytes = 0;       // IP-level bytes as sent
  uint32_t syns = 0;           // SYN or SYN-ACK segments sent
  uint32_t fins = 0;           // FIN segments sent (incl. retransmissions)
  uint32_t rsts = 0;           // RST segments sent
  NegotiatedOptions options;
  RttSummary rtt;  // of the data this endpoint sent
  std::vector<StateChange> timeline;  // capped; first entry is the start
  // Every other state the capture allows, by state; empty when `certainty`
  // is kConfirmed (the truth is `state` or one of these).
  std::vector<PossibleState> possible_states;
};

// Why a connection record was closed and written out.
enum class EndReason : uint8_t {
  kCaptureEnd,       // still open when the capture ended
  kClosed,           // both endpoints reached CLOSED (or TIME_WAIT expired)
  kReset,            // torn down by an accepted RST
  kTimeWaitExpired,  // TIME_WAIT ran out (capture time)
  kIdleTimeout,      // no packet for the idle timeout
  kPortReuse,        // a new SYN took over the 4-tuple
  kEvicted,          // the flow table was full
};
const char* EndReasonName(EndReason r);

// One captured segment as a ladder (sequence) diagram draws it: HTML and
// Mermaid reports. Filled only when AnalyzerOptions asks for ladders.
struct LadderSegment {
  uint64_t packet = 0;  // packet number in the capture (1-based)
  absl::Time t;
  bool from_client = true;
  uint8_t flags = 0;     // TCP flag bits as on the wire: FIN 0x01 .. CWR 0x80
  uint32_t rel_seq = 0;  // seq minus the sender's ISN (raw when ISN unknown)
  uint32_t rel_ack = 0;  // ack minus the receiver's ISN; valid with ACK flag
  uint32_t len = 0;      // TCP payload bytes
  uint16_t window = 0;   // raw window field
  uint32_t anomaly_kinds = 0;  // bit (1 << AnomalyKind) per kind flagged here
  // The capture saw it but the receiver never got it (its later segments
  // show it); drawn as an arrow that stops short.
  bool lost_after_tap = false;
  bool duplicate = false;  // the same packet captured twice
};

// The segments of one connection kept for its diagram: the opening, the
// closing and the anomalous ones; runs left out in between are folds.
struct Ladder {
  struct Fold {
    size_t after = 0;      // index into `segments` the fold follows
    uint64_t omitted = 0;  // segments left out there
  };
  std::vector<LadderSegment> segments;  // in capture order
  std::vector<Fold> folds;              // by `after`
  uint64_t total = 0;                   // segments the connection had
};

// A SYN that reused the 4-tuple of a connection still open (port_reuse).
struct PortReuse {
  uint64_t previous_id = 0;  // that connection
  TcpState previous_client = TcpState::kUnknown;  // the states it was left in
  TcpState previous_server = TcpState::kUnknown;
};

struct ConnectionRecord {
  uint64_t id = 0;  // 1-based, in order of first packet
  absl::Time first_seen;
  absl::Time last_seen;
  uint64_t first_packet = 0;
  uint64_t last_packet = 0;
  EndpointRecord client;
  EndpointRecord server;
  std::string conn_state;   // Zeek conn_state
  std::string history;      // Zeek history
  bool mid_stream = false;  // no SYN seen: roles and states inferred
  RoleRule role_rule = RoleRule::kSynSenderIsClient;  // how roles were decided
  EndReason end_reason = EndReason::kCaptureEnd;
  std::vector<std::string> notes;  // "how it got there", person-readable
  std::vector<Anomaly> anomalies;
  // SYN to the ACK that completed the handshake, as seen at the tap.
  std::optional<absl::Duration> handshake_rtt;
  std::optional<PortReuse> reuse;  // its port_reuse anomaly names it
  std::optional<Ladder> ladder;  // when ladders were asked for
};

struct CaptureSummary {
  uint64_t packets = 0;      // frames read
  uint64_t bytes = 0;        // captured bytes read
  uint64_t tcp_packets = 0;  // frames that decoded to a TCP segment
  uint64_t connections = 0;  // connection records created
  // created = finished + evicted + open_at_end, exactly.
  uint64_t connections_finished = 0;     // closed, reset, timed out, reused
  uint64_t connections_evicted = 0;      // the flow table was full
  uint64_t connections_open_at_end = 0;  // still open when input ended
  uint64_t max_connections = 0;          // the flow table's cap
  uint64_t timestamps_backwards = 0;
  std::optional<absl::Time> first_packet_time;
  std::optional<absl::Time> last_packet_time;
  DecodeCounters decode;
};

// ISN predictability of one host, across the connections it opened or
// accepted (analyzer/isn_analysis.h has the definitions).
struct IsnCheck {
  uint64_t packet = 0;  // the last sample, predicted from the earlier ones
  uint32_t predicted = 0;
  uint32_t observed = 0;
};

struct HostIsn {
  uint64_t samples = 0;      // distinct 4-tuples used (capped)
  uint64_t same_tuple = 0;   // further ISNs of an already-sampled 4-tuple
  bool enough = false;       // at least Nmap's minimum of 4 samples
  // Nmap SEQ metrics; meaningful only when `enough`.
  uint32_t gcd = 0;
  uint32_t isr = 0;
  uint32_t sp = 0;
  std::string difficulty;     // Nmap's label for SP
  std::string isn_class;      // constant, zero, fixed_increment, ...
  bool predictable = false;
  std::optional<uint32_t> next_predicted;
  std::optional<IsnCheck> check;
  std::vector<uint64_t> evidence;  // packet numbers of the samples (capped)
  std::string ip_id_class;         // empty when not computed
  std::optional<uint32_t> ts_hz;   // TCP timestamp clock rate, rounded
};

struct HostRecord {
  IpAddress addr;
  std::vector<Anomaly> anomalies;
  std::optional<HostIsn> isn;  // set for hosts that chose ISNs
};

// How a live capture (tcpstate -i) went: libpcap's statistics at the end.
struct LiveCaptureInfo {
  std::string interface;
  absl::Time started;
  absl::Time stopped;
  std::string stop_reason;  // "signal", "quit", "count", "duration", "error"
  uint64_t received = 0;              // packets the filter accepted
  uint64_t dropped_by_kernel = 0;     // no room in the capture buffer
  uint64_t dropped_by_interface = 0;  // dropped by the interface or driver
  // --threads N: the sockets of the PACKET_FANOUT group (the statistics
  // are their sums), and the packets a socket received whose flow another
  // socket's worker analyses (handed over to it).
  uint32_t sockets = 1;
  uint64_t wrong_shard = 0;
  // Packets were lost before tcpstate saw them: the states of the
  // connections they belonged to may be wrong.
  bool incomplete() const {
    return dropped_by_kernel > 0 || dropped_by_interface > 0;
  }
};

struct AnalysisResult {
  std::string tcpstate_version;  // of the build that made it (set by main)
  std::vector<InputInfo> inputs;
  CaptureSummary summary;
  std::optional<LiveCaptureInfo> live;  // live capture only
  std::vector<ConnectionRecord> connections;  // by id
  std::vector<HostRecord> hosts;              // by address
  std::vector<Anomaly> anomalies;             // host-level, by time
  std::string error;  // non-empty if input stopped on damage
};

}  // namespace tcpstate
