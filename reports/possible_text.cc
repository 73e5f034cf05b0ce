#include "reports/possible_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tcpstate {
namespace {

std::string Phrase(PossibleReason r, const PossibleState& p, const char* peer) {
  switch (r) {
    case PossibleReason::kReceiptLost:
      return absl::StrCat("the ", peer, "'s segment it was assumed to get (pkt ",
                          p.packet, ") was lost after the capture point");
    case PossibleReason::kPeerFinArrived:
      return absl::StrCat("the ", peer, "'s FIN (pkt ", p.packet,
                          ") reached it and its answers were lost before the "
                          "capture point");
    case PossibleReason::kClosedBehindData:
      return absl::StrCat("its application closed: its FIN would queue "
                          "behind ",
                          p.amount, " unacknowledged bytes");
    case PossibleReason::kClosedBehindZeroWindow:
      return absl::StrCat("its application closed: its FIN would wait behind "
                          "data the ",
                          peer, "'s zero window holds back");
    case PossibleReason::kClosedUnseen:
      return "it closed after its last segment seen here, and its FIN was "
             "lost before the capture point";
    case PossibleReason::kAbortedUnseen:
      return "it aborted after its last segment seen here, and its RST was "
             "lost before the capture point";
    case PossibleReason::kFinOrderUnseen:
      return absl::StrCat("its own FIN, which the capture never saw (its "
                          "sequence numbers show it), and the ",
                          peer, "'s FIN crossed the other way round");
    case PossibleReason::kRstArrived:
      return absl::StrCat("the RST (pkt ", p.packet,
                          ") reached it after all (this path lost an earlier "
                          "RST to it, so it does not count yet)");
    case PossibleReason::kStillRetrying:
      return absl::StrCat("its retransmissions were lost before the capture "
                          "point (Linux keeps retrying for ",
                          p.amount, " s)");
    case PossibleReason::kGaveUp:
      return "it gave up sooner (the application closed, or a stack that "
             "retries less)";
    case PossibleReason::kSynCookie:
      return "its SYN-ACK was a SYN cookie (a full SYN queue, RFC 4987 "
             "3.6): it kept no state";
    case PossibleReason::kLongerTimeWait:
      return absl::StrCat("its stack keeps TIME_WAIT longer (up to ",
                          p.amount, " s: Windows)");
    case PossibleReason::kClosedBeforeCapture:
      return "a FIN before the capture started closed one direction";
  }
  return "";
}

}  // namespace

std::string PossibleWhy(const PossibleState& p, const char* peer) {
  std::string out = "if ";
  for (size_t i = 0; i < p.reasons.size(); ++i) {
    if (i > 0) {
      out.append(", and ");
    }
    out.append(Phrase(p.reasons[i], p, peer));
  }
  return out;
}

std::string PossibleStateList(const EndpointRecord& e) {
  std::string out;
  for (const PossibleState& p : e.possible_states) {
    if (!out.empty()) {
      out.push_back('|');
    }
    out.append(TcpStateName(p.state));
  }
  return out;
}

std::string PossibleSentence(const EndpointRecord& e, const char* name,
                             const char* peer) {
  std::string out = absl::StrCat("the ", name, " is ", TcpStateName(e.state));
  for (const PossibleState& p : e.possible_states) {
    absl::StrAppend(&out, "; or ", TcpStateName(p.state), " ",
                    PossibleWhy(p, peer));
  }
  out.push_back('.');
  return out;
}

}  // namespace tcpstate
