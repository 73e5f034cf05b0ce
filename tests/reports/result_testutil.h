#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "analyzer/analysis_result.h"
#include "gtest/gtest.h"

namespace tcpstate {
namespace testing_results {

// How many times `needle` occurs in `haystack` (overlaps counted).
size_t Count(const std::string& haystack, const std::string& needle);

// Hand-built results covering what the renderers must handle.

// Two connections: an IPv4 one whose server never finished closing (notes,
// anomalies, full options) and an IPv6 one joined mid-stream; one host
// anomaly; two inputs; non-zero decode counters. No error.
AnalysisResult Sample();

// Sample()'s first connection on its own: IPv4, the server never finished
// closing, one anomaly, no ladder.
ConnectionRecord SampleConnection();

// A ladder segment with these fields; time, window and marks left zero.
LadderSegment LadderSeg(uint64_t packet, bool from_client, uint8_t flags,
                        uint32_t rel_seq, uint32_t rel_ack, uint32_t len);

// SampleConnection() with a scripted ladder of 51 segments, 7 kept: the
// handshake (1-3), a fold of 36, data packet 40 lost after the tap and its
// retransmission 41, a fold of 8, a duplicate FIN (50) and its ACK (51).
// The client goes SYN_SENT, ESTABLISHED, FIN_WAIT_1 (50), FIN_WAIT_2 (51);
// the server SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT inside the first fold
// (20), then CLOSED by a timer (packet 0).
ConnectionRecord ScriptedLadderConnection();

// Sample() with ladders and handshake RTTs as the HTML report draws them:
// connection 1 has 9 of its 16 segments kept (handshake, data, the server's
// FIN and its retransmissions, one of them lost after the tap, a duplicate)
// and two folds (3 and 4 segments); connection 2 has no ladder.
AnalysisResult SampleWithLadders();

// Nothing read at all: no packets, no times, no connections.
AnalysisResult Empty();

// 100,000 connections (every seventh flagged, with a 12-segment ladder and
// a possible state) between 700 hosts that all chose ISNs, 5 of them
// predictably: the reports at a busy server's scale.
AnalysisResult HundredThousand();

// Reading stopped on a damaged second file: one IPv4 connection, the error
// on the input and on the result.
AnalysisResult Damaged();

// Strings holding quotes, backslashes, <script>, control bytes, an ANSI
// escape and invalid UTF-8 in every field that can come from outside.
AnalysisResult Hostile();

// A live run's capture statistics on `interface`, stopped by a signal after
// 42 s; drops make it incomplete.
LiveCaptureInfo Live(const std::string& interface, uint64_t received,
                     uint64_t kernel_drops, uint64_t interface_drops);

// Succeeds when every byte of `s` is printable ASCII (0x20 to 0x7e);
// otherwise names the first byte that is not and its offset.
::testing::AssertionResult IsPrintableAscii(absl::string_view s);

// Reads tests/reports/golden/<name>; with UPDATE_GOLDEN=1 in the
// environment writes `actual` there first. Returns the file's content.
std::string Golden(const std::string& name, const std::string& actual);

// What WithoutInlineAssets() leaves inside each asset element; the same as
// INLINE_ASSET_MARKER in tests/e2e/check_golden.py.
inline constexpr absl::string_view kInlineAssetMarker =
    "/* inline asset: checked apart from the golden file */";

// `html` with the content of every <style> and <script> element written
// without attributes (the style sheet and scripts inlined from
// reports/html_assets.cc and html_script.cc; not the JSON data island)
// replaced by "\n" kInlineAssetMarker "\n", so the HTML goldens do not
// change with every script change. Blank content is left as it is, so a
// page that lost a script differs from its golden.
// tests/e2e/check_golden.py strips the same way.
std::string WithoutInlineAssets(absl::string_view html);

// `json` with the zero-valued entries of every "decode_counters" object
// removed, so golden files do not change each time the dissectors add a
// counter (a separate test checks that every counter is written).
std::string WithoutZeroDecodeCounters(const std::string& json);

}  // namespace testing_results
}  // namespace tcpstate
