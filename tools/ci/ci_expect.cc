#include "tools/ci/ci_expect.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "analyzer/anomaly_catalogue.h"

namespace tcpstate {
namespace {

struct Token {
  absl::string_view text;
  int column = 0;  // 1-based
};

// Where errors point: file, line, and the column of the token at fault.
struct Place {
  absl::string_view file;
  int line = 0;

  absl::Status Error(int column, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ":", line, ":", column, ": ", what));
  }
};

// Splits a line on blanks up to a '#' that starts a token.
std::vector<Token> Tokenize(absl::string_view line) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    if (line[i] == '#') {
      break;
    }
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' &&
           line[i] != '\r') {
      ++i;
    }
    tokens.push_back({line.substr(start, i - start), static_cast<int>(start) + 1});
  }
  return tokens;
}

// An RFC 9293 name as the reports print it (CLOSE_WAIT), in any case, or
// as ss (CLOSE-WAIT, ESTAB, SYN-RECV, FIN-WAIT-1, CLOSE) or netstat
// (SYN_RECV, FIN_WAIT1) print it.
std::optional<TcpState> StateFromName(absl::string_view written) {
  std::string name =
      absl::StrReplaceAll(absl::AsciiStrToUpper(written), {{"-", "_"}});
  static constexpr std::pair<absl::string_view, absl::string_view>
      kAliases[] = {{"ESTAB", "ESTABLISHED"},   {"SYN_RECV", "SYN_RECEIVED"},
                    {"FIN_WAIT1", "FIN_WAIT_1"}, {"FIN_WAIT2", "FIN_WAIT_2"},
                    {"CLOSE", "CLOSED"}};
  for (const auto& [alias, canonical] : kAliases) {
    if (name == alias) {
      name = std::string(canonical);
    }
  }
  for (int s = 0; s <= static_cast<int>(TcpState::kTimeWait); ++s) {
    const TcpState state = static_cast<TcpState>(s);
    if (name == TcpStateName(state)) {
      return state;
    }
  }
  return std::nullopt;
}

// "198.18.0.1" or "2001:db8::1" in the form reports print, if valid.
std::optional<std::string> CanonicalAddress(absl::string_view text) {
  const std::string s(absl::StripPrefix(absl::StripSuffix(text, "]"), "["));
  unsigned char bytes[sizeof(in6_addr)];
  char buf[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, s.c_str(), bytes) == 1 &&
        inet_ntop(family, bytes, buf, sizeof(buf)) != nullptr) {
      return std::string(buf);
    }
  }
  return std::nullopt;
}

absl::Status ParseStates(const Place& place, const Token& value,
                         std::vector<TcpState>* out) {
  int column = value.column;
  for (absl::string_view name : absl::StrSplit(value.text, '|')) {
    const std::optional<TcpState> state = StateFromName(name);
    if (!state) {
      return place.Error(
          column, absl::StrCat("unknown TCP state '", name,
                               "' (use RFC 9293 names such as ESTABLISHED, "
                               "CLOSE_WAIT, TIME_WAIT, CLOSED, or UNKNOWN; "
                               "ss spellings such as ESTAB or CLOSE-WAIT "
                               "work too)"));
    }
    out->push_back(*state);
    column += static_cast<int>(name.size()) + 1;
  }
  return absl::OkStatus();
}

absl::Status ParsePort(const Place& place, const Token& value,
                       std::optional<uint16_t>* out) {
  uint32_t port = 0;
  if (!absl::SimpleAtoi(value.text, &port) || port > 65535) {
    return place.Error(value.column,
                       absl::StrCat("bad port '", value.text, "' (0-65535)"));
  }
  *out = static_cast<uint16_t>(port);
  return absl::OkStatus();
}

absl::Status ParseAddress(const Place& place, const Token& value,
                          std::optional<std::string>* out) {
  *out = CanonicalAddress(value.text);
  if (!*out) {
    return place.Error(value.column,
                       absl::StrCat("bad IP address '", value.text, "'"));
  }
  return absl::OkStatus();
}

// One KEY=VALUE term of a connection filter.
absl::Status ParseFilterTerm(const Place& place, const Token& token,
                             ConnectionFilter* filter) {
  // client~S, server~S: a state that is possible, not only reported.
  for (const bool client : {true, false}) {
    const absl::string_view prefix = client ? "client~" : "server~";
    if (absl::StartsWith(token.text, prefix) &&
        token.text.size() > prefix.size()) {
      (client ? filter->client_possible : filter->server_possible) = true;
      const Token value{token.text.substr(prefix.size()),
                        token.column + static_cast<int>(prefix.size())};
      return ParseStates(place, value,
                         client ? &filter->client_states
                                : &filter->server_states);
    }
  }
  const size_t eq = token.text.find('=');
  if (eq == absl::string_view::npos || eq + 1 == token.text.size()) {
    return place.Error(
        token.column,
        absl::StrCat("expected KEY=VALUE (client=STATE, server=STATE, "
                     "client~STATE, server~STATE, "
                     "client.addr=, client.port=, server.addr=, "
                     "server.port=), got '",
                     token.text, "'"));
  }
  const absl::string_view key = token.text.substr(0, eq);
  const Token value{token.text.substr(eq + 1),
                    token.column + static_cast<int>(eq) + 1};
  if (key == "client") {
    return ParseStates(place, value, &filter->client_states);
  }
  if (key == "server") {
    return ParseStates(place, value, &filter->server_states);
  }
  if (key == "client.port") {
    return ParsePort(place, value, &filter->client_port);
  }
  if (key == "server.port") {
    return ParsePort(place, value, &filter->server_port);
  }
  if (key == "client.addr") {
    return ParseAddress(place, value, &filter->client_addr);
  }
  if (key == "server.addr") {
    return ParseAddress(place, value, &filter->server_addr);
  }
  return place.Error(token.column, absl::StrCat("unknown key '", key, "'"));
}

// "host A" or "port P" at tokens[i] (tcpdump's words: either endpoint);
// *used says whether it was one (then tokens[i + 1] is its value).
absl::Status ParseTcpdumpTerm(const Place& place,
                              const std::vector<Token>& tokens, size_t i,
                              size_t end, ConnectionFilter* filter,
                              bool* used) {
  const absl::string_view word = tokens[i].text;
  *used = word == "host" || word == "port";
  if (!*used) {
    return absl::OkStatus();
  }
  if (i + 1 >= end) {
    return place.Error(tokens[i].column,
                       absl::StrCat("'", word, "' needs a value (",
                                    word == "host" ? "host 198.18.0.1"
                                                   : "port 80",
                                    ")"));
  }
  return word == "host" ? ParseAddress(place, tokens[i + 1], &filter->host)
                        : ParsePort(place, tokens[i + 1], &filter->port);
}

absl::Status ParseFilter(const Place& place, const std::vector<Token>& tokens,
                         size_t begin, size_t end, ConnectionFilter* filter) {
  for (size_t i = begin; i < end; ++i) {
    bool tcpdump_term = false;
    absl::Status status =
        ParseTcpdumpTerm(place, tokens, i, end, filter, &tcpdump_term);
    if (tcpdump_term) {
      if (!status.ok()) {
        return status;
      }
      ++i;  // its value
      continue;
    }
    status = ParseFilterTerm(place, tokens[i], filter);
    if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status ParseKind(const Place& place, const std::vector<Token>& tokens,
                       size_t i, int end_column, std::string* kind) {
  if (i >= tokens.size()) {
    return place.Error(end_column,
                       "expected an anomaly kind (see --list-anomalies)");
  }
  if (!AnomalyKindFromId(tokens[i].text)) {
    return place.Error(tokens[i].column,
                       absl::StrCat("unknown anomaly kind '", tokens[i].text,
                                    "' (see tcpstate --list-anomalies)"));
  }
  *kind = std::string(tokens[i].text);
  return absl::OkStatus();
}

absl::Status ParseNumber(const Place& place, const std::vector<Token>& tokens,
                         size_t i, int end_column, uint64_t* out) {
  if (i >= tokens.size()) {
    return place.Error(end_column, "expected a number");
  }
  if (!absl::SimpleAtoi(tokens[i].text, out)) {
    return place.Error(tokens[i].column,
                       absl::StrCat("expected a number, got '", tokens[i].text,
                                    "'"));
  }
  return absl::OkStatus();
}

std::optional<CountOp> OpFromText(absl::string_view text) {
  static constexpr std::pair<absl::string_view, CountOp> kOps[] = {
      {"==", CountOp::kEq}, {"!=", CountOp::kNe}, {"<", CountOp::kLt},
      {"<=", CountOp::kLe}, {">", CountOp::kGt},  {">=", CountOp::kGe}};
  for (const auto& [name, op] : kOps) {
    if (text == name) {
      return op;
    }
  }
  return std::nullopt;
}

absl::Status ParseCount(const Place& place, const std::vector<Token>& tokens,
                        int end_column, Expectation* e) {
  const size_t n = tokens.size();
  if (n < 4 || !OpFromText(tokens[n - 2].text)) {
    const Token& at = n >= 4 ? tokens[n - 2] : tokens.back();
    return place.Error(n >= 4 ? at.column : end_column,
                       "expected 'OP N' at the end (OP is one of == != < <= "
                       "> >=)");
  }
  e->op = *OpFromText(tokens[n - 2].text);
  absl::Status status = ParseNumber(place, tokens, n - 1, end_column, &e->limit);
  if (!status.ok()) {
    return status;
  }
  return ParseFilter(place, tokens, 2, n - 2, &e->filter);
}

absl::Status ParseBody(const Place& place, const std::vector<Token>& tokens,
                       int end_column, Expectation* e) {
  const absl::string_view verb = tokens[1].text;
  if (verb == "connections") {
    e->type = ExpectationType::kConnections;
    absl::Status status =
        ParseFilter(place, tokens, 2, tokens.size(), &e->filter);
    if (status.ok() && e->filter.client_states.empty() &&
        e->filter.server_states.empty()) {
      return place.Error(end_column,
                         "expected client=STATE and/or server=STATE (or "
                         "client~STATE, server~STATE)");
    }
    return status;
  }
  if (verb == "no") {
    e->type = ExpectationType::kNo;
    absl::Status status = ParseKind(place, tokens, 2, end_column, &e->kind);
    return status.ok() ? ParseFilter(place, tokens, 3, tokens.size(), &e->filter)
                       : status;
  }
  if (verb == "at") {
    e->type = ExpectationType::kAtMost;
    if (tokens.size() < 3 || tokens[2].text != "most") {
      return place.Error(tokens.size() < 3 ? end_column : tokens[2].column,
                         "expected 'most' after 'at'");
    }
    absl::Status status = ParseNumber(place, tokens, 3, end_column, &e->limit);
    if (status.ok()) {
      status = ParseKind(place, tokens, 4, end_column, &e->kind);
    }
    return status.ok() ? ParseFilter(place, tokens, 5, tokens.size(), &e->filter)
                       : status;
  }
  if (verb == "count") {
    e->type = ExpectationType::kCount;
    return ParseCount(place, tokens, end_column, e);
  }
  return place.Error(tokens[1].column,
                     absl::StrCat("unknown expectation '", verb,
                                  "' (use connections, no, at most, count)"));
}

}  // namespace

absl::StatusOr<std::vector<Expectation>> ParseExpectations(
    absl::string_view text, absl::string_view file_name) {
  std::vector<Expectation> out;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const Place place{file_name, line_number};
    const std::vector<Token> tokens = Tokenize(line);
    if (tokens.empty()) {
      continue;
    }
    const int end_column = tokens.back().column +
                           static_cast<int>(tokens.back().text.size());
    if (tokens[0].text != "expect") {
      return place.Error(tokens[0].column,
                         absl::StrCat("expected 'expect', got '",
                                      tokens[0].text, "'"));
    }
    if (tokens.size() < 2) {
      return place.Error(end_column,
                         "expected connections, no, at most or count");
    }
    Expectation e;
    e.line = line_number;
    std::vector<absl::string_view> words;
    for (const Token& t : tokens) {
      words.push_back(t.text);
    }
    e.text = absl::StrJoin(words, " ");
    absl::Status status = ParseBody(place, tokens, end_column, &e);
    if (!status.ok()) {
      return status;
    }
    out.push_back(std::move(e));
  }
  if (out.empty()) {
    return Place{file_name, 1}.Error(
        1, "no expectations in the file");
  }
  return out;
}

}  // namespace tcpstate
