// tcpstate-docs: writes what tools/doc_gen.h generates, for the build and
// for refreshing docs/cli.md.
//
//   tcpstate-docs man [VERSION [DATE]]   tcpstate(1) in roff
//   tcpstate-docs completion              the bash completion script
//   tcpstate-docs cli-md                  docs/cli.md's option reference
//
// VERSION and DATE default to this build's (tools/version.h).
#include <cstdio>
#include <iostream>
#include <string>

#include "tools/doc_gen.h"
#include "tools/version.h"

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "man" && argc <= 4) {
    std::cout << tcpstate::ManPage(
        argc > 2 ? argv[2] : tcpstate::TcpstateVersion(),
        argc > 3 ? argv[3] : tcpstate::TcpstateDate());
  } else if (what == "completion" && argc == 2) {
    std::cout << tcpstate::BashCompletion();
  } else if (what == "cli-md" && argc == 2) {
    std::cout << tcpstate::CliMarkdown();
  } else {
    std::cerr << "usage: tcpstate-docs man [VERSION [DATE]] | completion | "
                 "cli-md\n";
    return 2;
  }
  std::cout.flush();
  return std::cout.good() ? 0 : 1;
}
