#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Abseil 20220623 (Debian 12) ships no status macros; these are ours.

#define TCPSTATE_CONCAT_INNER(a, b) a##b
#define TCPSTATE_CONCAT(a, b) TCPSTATE_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    const ::absl::Status tcpstate_status = (expr); \
    if (!tcpstate_status.ok()) {                   \
      return tcpstate_status;                      \
    }                                              \
  } while (false)

#define TCPSTATE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) {                                     \
    return tmp.status();                               \
  }                                                    \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr)                                        \
  TCPSTATE_ASSIGN_OR_RETURN_IMPL(TCPSTATE_CONCAT(tcpstate_sor_, __LINE__), \
                                 lhs, expr)
