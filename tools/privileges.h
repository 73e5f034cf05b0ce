#pragma once

#include <string>

#include "absl/status/status.h"

namespace tcpstate {

// -Z USER, as tcpdump does after opening the interface: switches to USER
// (supplementary groups from /etc/group, then gid, then uid) unless the
// process already runs as USER, then drops every capability (effective,
// permitted, inheritable and ambient) and sets no_new_privs, so nothing
// can be regained. Started with only CAP_NET_RAW (not root), switching to
// another user is not permitted: that is an error (PermissionDenied)
// naming the way out, -Z with one's own user name, which only drops the
// capabilities.
absl::Status DropPrivileges(const std::string& user);

}  // namespace tcpstate
