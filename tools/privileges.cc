#include "tools/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tcpstate {
namespace {

absl::Status SwitchUser(const passwd& pw, const std::string& user) {
  if (initgroups(pw.pw_name, pw.pw_gid) != 0 || setgid(pw.pw_gid) != 0 ||
      setuid(pw.pw_uid) != 0) {
    const int error = errno;
    return absl::PermissionDeniedError(absl::StrCat(
        "-Z ", user, ": cannot switch to uid ", pw.pw_uid, ": ",
        std::strerror(error),
        " (switching users needs root; started with only CAP_NET_RAW, "
        "give -Z your own user name to just drop the capabilities)"));
  }
  return absl::OkStatus();
}

absl::Status DropCapabilities() {
  // Clear the ambient set first (EINVAL: kernel without ambient caps).
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
      errno != EINVAL) {
    return absl::ErrnoToStatus(errno, "-Z: cannot clear ambient capabilities");
  }
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capset, &header, data) != 0) {
    return absl::ErrnoToStatus(errno, "-Z: cannot drop capabilities");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return absl::ErrnoToStatus(errno, "-Z: cannot set no_new_privs");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DropPrivileges(const std::string& user) {
  errno = 0;
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) {
    return absl::NotFoundError(absl::StrCat("-Z: no such user '", user, "'"));
  }
  const passwd copy = *pw;
  const bool already = getuid() == copy.pw_uid && geteuid() == copy.pw_uid &&
                       getgid() == copy.pw_gid && getegid() == copy.pw_gid;
  if (!already) {
    const absl::Status status = SwitchUser(copy, user);
    if (!status.ok()) {
      return status;
    }
  }
  const absl::Status status = DropCapabilities();
  if (!status.ok()) {
    return status;
  }
  if (copy.pw_uid != 0 && setuid(0) == 0) {
    return absl::InternalError("-Z: root could be regained; stopping");
  }
  return absl::OkStatus();
}

}  // namespace tcpstate
