#pragma once

#include <string>

#include "analyzer/analysis_result.h"

namespace tcpstate {
namespace testing_results {

// Hand-built results covering what the renderers must handle.

// Two connections: an IPv4 one whose server never finished closing (notes,
// anomalies, full options) and an IPv6 one joined mid-stream; one host
// anomaly; two inputs; non-zero decode counters. No error.
AnalysisResult Sample();

// Sample() with ladders and handshake RTTs as the HTML report draws them:
// connection 1 has 9 of its 16 segments kept (handshake, data, the server's
// FIN and its retransmissions, one of them lost after the tap, a duplicate)
// and two folds (3 and 4 segments); connection 2 has no ladder.
AnalysisResult SampleWithLadders();

// Nothing read at all: no packets, no times, no connections.
AnalysisResult Empty();

// Reading stopped on a damaged second file: one IPv4 connection, the error
// on the input and on the result.
AnalysisResult Damaged();

// Strings holding quotes, backslashes, <script>, control bytes, an ANSI
// escape and invalid UTF-8 in every field that can come from outside.
AnalysisResult Hostile();

// Reads tests/reports/golden/<name>; with UPDATE_GOLDEN=1 in the
// environment writes `actual` there first. Returns the file's content.
std::string Golden(const std::string& name, const std::string& actual);

// `json` with the zero-valued entries of every "decode_counters" object
// removed, so golden files do not change each time the dissectors add a
// counter (a separate test checks that every counter is written).
std::string WithoutZeroDecodeCounters(const std::string& json);

}  // namespace testing_results
}  // namespace tcpstate
