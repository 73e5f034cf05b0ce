#include "tools/report_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "gtest/gtest.h"

namespace tcpstate {
namespace {

TEST(ReportOutputTest, WidensAPipe) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int before = fcntl(fds[1], F_GETPIPE_SZ);
  EXPECT_LT(before, kReportPipeBytes);  // Linux's default: 64 KiB
  EXPECT_TRUE(WidenPipe(fds[1]));
  EXPECT_GE(fcntl(fds[1], F_GETPIPE_SZ), kReportPipeBytes);
  EXPECT_TRUE(WidenPipe(fds[1]));  // already wide
  close(fds[0]);
  close(fds[1]);
}

TEST(ReportOutputTest, LeavesOtherFilesAlone) {
  FILE* f = tmpfile();
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(WidenPipe(fileno(f)));
  fclose(f);
  EXPECT_FALSE(WidenPipe(-1));
}

}  // namespace
}  // namespace tcpstate
