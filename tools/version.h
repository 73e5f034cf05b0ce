#pragma once

// The version of this build (cmake/version.cmake): "0.1.0" for a release
// or a source tree outside git, "0.1.0+412.g1a2b3c4d5e6f[.dirty]" for a
// git checkout (commits since the tag or in all, the commit).
namespace tcpstate {

const char* TcpstateVersion();

// The commit's date (YYYY-MM-DD), "" outside git: the man page's date.
const char* TcpstateDate();

}  // namespace tcpstate
