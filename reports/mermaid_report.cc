#include "reports/mermaid_report.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/anomaly_catalogue.h"
#include "analyzer/tcp_state.h"
#include "reports/escape.h"
#include "reports/format.h"
#include "reports/possible_text.h"

namespace tcpstate {
namespace {

constexpr absl::string_view kKeptPunctuation = " .:,/=()[]_-+?!@";

// The participants' ids (fixed, safe) and how each side's notes attach.
constexpr absl::string_view kClient = "Client";
constexpr absl::string_view kServer = "Server";

// State changes of one endpoint, emitted in packet order as the segments
// that caused them are drawn.
class StateNotes {
 public:
  StateNotes(const EndpointRecord& e, absl::string_view where)
      : timeline_(e.timeline), where_(where) {}

  // Changes caused by packets up to `packet` (inclusive, or before it when
  // `inclusive` is false); timer changes (packet 0) wait for Rest().
  void UpTo(uint64_t packet, bool inclusive, std::string* out) {
    while (next_ < timeline_.size()) {
      const StateChange& c = timeline_[next_];
      const bool due = c.packet != 0 &&
                       (inclusive ? c.packet <= packet : c.packet < packet);
      if (!due) {
        return;
      }
      Emit(c, out);
    }
  }
  void Rest(std::string* out) {
    while (next_ < timeline_.size()) {
      Emit(timeline_[next_], out);
    }
  }

 private:
  void Emit(const StateChange& c, std::string* out) {
    ++next_;
    absl::StrAppend(out, "    Note ", where_, ": ", TcpStateName(c.state),
                    c.packet == 0 ? " (timer)" : "", "\n");
  }

  const std::vector<StateChange>& timeline_;
  absl::string_view where_;
  size_t next_ = 0;
};

std::string SegmentKinds(uint32_t bits) {
  std::vector<std::string> ids;
  for (size_t k = 0; k < kNumAnomalyKinds; ++k) {
    if ((bits & (uint32_t{1} << k)) != 0) {
      ids.push_back(InfoOf(static_cast<AnomalyKind>(k)).id);
    }
  }
  return absl::StrJoin(ids, ", ");
}

std::string Message(const LadderSegment& s) {
  absl::string_view from = s.from_client ? kClient : kServer;
  absl::string_view to = s.from_client ? kServer : kClient;
  // Lost after the tap: the arrow stops short; a second capture of the
  // same packet: dotted.
  const char* arrow = s.lost_after_tap ? "-x" : s.duplicate ? "-->>" : "->>";
  std::string text =
      absl::StrCat("#", s.packet, " ", LadderFlagNames(s.flags), " seq=",
                   s.rel_seq, " ack=", s.rel_ack, " len=", s.len);
  if (s.anomaly_kinds != 0) {
    absl::StrAppend(&text, " (", SegmentKinds(s.anomaly_kinds), ")");
  }
  if (s.lost_after_tap) {
    absl::StrAppend(&text, " (lost after the capture point)");
  }
  return absl::StrCat("    ", from, arrow, to, ": ", MermaidText(text), "\n");
}

// Connection-level anomalies, each once, after the first kept segment at
// or after its first packet (or at the end).
class AnomalyNotes {
 public:
  explicit AnomalyNotes(const std::vector<Anomaly>& anomalies)
      : anomalies_(anomalies), done_(anomalies.size(), false) {}

  void UpTo(uint64_t packet, std::string* out) {
    for (size_t i = 0; i < anomalies_.size(); ++i) {
      if (!done_[i] && anomalies_[i].first_packet <= packet) {
        Emit(i, out);
      }
    }
  }
  void Rest(std::string* out) { UpTo(UINT64_MAX, out); }

 private:
  void Emit(size_t i, std::string* out) {
    done_[i] = true;
    const Anomaly& a = anomalies_[i];
    absl::StrAppend(
        out, "    Note over Client,Server: ",
        MermaidText(absl::StrCat(SeverityName(a.severity), " ", a.kind, " (",
                                 a.endpoint, "): ", a.detail)),
        "\n");
  }

  const std::vector<Anomaly>& anomalies_;
  std::vector<bool> done_;
};

void AppendLadder(const Ladder& ladder, StateNotes& client, StateNotes& server,
                  AnomalyNotes& anomalies, std::string* out) {
  size_t fold = 0;
  for (size_t i = 0; i < ladder.segments.size(); ++i) {
    const LadderSegment& s = ladder.segments[i];
    client.UpTo(s.packet, /*inclusive=*/false, out);
    server.UpTo(s.packet, /*inclusive=*/false, out);
    absl::StrAppend(out, Message(s));
    client.UpTo(s.packet, /*inclusive=*/true, out);
    server.UpTo(s.packet, /*inclusive=*/true, out);
    anomalies.UpTo(s.packet, out);
    for (; fold < ladder.folds.size() && ladder.folds[fold].after == i;
         ++fold) {
      absl::StrAppend(out, "    Note over Client,Server: ",
                      MermaidText(absl::StrCat(
                          "... ", ladder.folds[fold].omitted,
                          " segments folded ...")),
                      "\n");
    }
  }
}

}  // namespace

std::string MermaidText(absl::string_view s) {
  const std::string valid = SanitizeUtf8(s);
  std::string out;
  for (size_t pos = 0; pos < valid.size();) {
    const Utf8Step step = DecodeUtf8At(valid, pos);
    pos += step.length;
    const uint32_t cp = step.code_point;
    const bool keep =
        cp < 0x80 && (absl::ascii_isalnum(static_cast<unsigned char>(cp)) ||
                      kKeptPunctuation.find(static_cast<char>(cp)) !=
                          absl::string_view::npos);
    if (keep) {
      out.push_back(static_cast<char>(cp));
    } else {
      absl::StrAppend(&out, "#", cp, ";");
    }
  }
  return out;
}

std::string LadderFlagNames(uint8_t flags) {
  static constexpr const char* kNames[] = {"FIN", "SYN", "RST", "PSH",
                                           "ACK", "URG", "ECE", "CWR"};
  std::vector<absl::string_view> names;
  for (int bit = 0; bit < 8; ++bit) {
    if ((flags & (1u << bit)) != 0) {
      names.push_back(kNames[bit]);
    }
  }
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

std::string RenderMermaid(const AnalysisResult& result,
                          const ConnectionRecord& c) {
  std::vector<std::string> inputs;
  for (const InputInfo& in : result.inputs) {
    inputs.push_back(in.name);
  }
  const std::string client = FormatEndpoint(c.client.addr, c.client.port);
  const std::string server = FormatEndpoint(c.server.addr, c.server.port);
  std::string out = "sequenceDiagram\n";
  absl::StrAppend(
      &out, "    title ",
      MermaidText(absl::StrCat("tcpstate connection ", c.id, " (",
                               absl::StrJoin(inputs, ", "), ")")),
      "\n");
  absl::StrAppend(&out, "    participant ", kClient, " as ",
                  MermaidText(absl::StrCat("client ", client)), "\n");
  absl::StrAppend(&out, "    participant ", kServer, " as ",
                  MermaidText(absl::StrCat("server ", server)), "\n");
  StateNotes client_notes(c.client, "left of Client");
  StateNotes server_notes(c.server, "right of Server");
  AnomalyNotes anomalies(c.anomalies);
  if (c.ladder) {
    AppendLadder(*c.ladder, client_notes, server_notes, anomalies, &out);
  } else {
    absl::StrAppend(&out,
                    "    Note over Client,Server: no segments recorded\n");
  }
  client_notes.Rest(&out);
  server_notes.Rest(&out);
  anomalies.Rest(&out);
  // What the capture cannot rule out, after the last state.
  for (const EndpointRecord* e : {&c.client, &c.server}) {
    if (!e->possible_states.empty()) {
      absl::StrAppend(
          &out, "    Note over Client,Server: ",
          MermaidText(absl::StrCat(e == &c.client ? "client" : "server",
                                   " inferred: possibly ",
                                   PossibleStateList(*e))),
          "\n");
    }
  }
  if (c.handshake_rtt) {
    absl::StrAppend(&out, "    Note over Client,Server: handshake RTT ",
                    FormatSeconds(*c.handshake_rtt),
                    "s (SYN to the ACK that completed it, at the tap)\n");
  }
  for (const EndpointRecord* e : {&c.client, &c.server}) {
    if (e->rtt.samples > 0) {
      absl::StrAppend(&out, "    Note over Client,Server: ",
                      e == &c.client ? "client" : "server",
                      " data round trips: ", e->rtt.samples, " samples, min ",
                      PreciseSeconds(e->rtt.min), "s, avg ",
                      PreciseSeconds(e->rtt.mean), "s, max ",
                      PreciseSeconds(e->rtt.max), "s\n");
    }
  }
  return out;
}

}  // namespace tcpstate
