#include "tools/shard_runs.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "analyzer/part_codec.h"
#include "analyzer/part_file.h"
#include "analyzer/shard_merge.h"
#include "analyzer/shard_run.h"
#include "tools/report_output.h"
#include "tools/run_parts.h"
#include "tools/version.h"

namespace tcpstate {
namespace {

// Parts with more shards draw html and mermaid ladders on this many
// threads at most (their second read of the inputs).
constexpr size_t kMaxLadderThreads = 64;

// What every part of one run shares, or why two parts do not belong
// together.
absl::Status CheckTogether(const std::string& a_name, const PartReader& a,
                           const std::string& b_name, const PartReader& b) {
  const auto differ = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot merge '", a_name, "' and '", b_name, "': ", what));
  };
  const PartHeader& ha = a.header();
  const PartHeader& hb = b.header();
  if (ha.tcpstate_version != hb.tcpstate_version) {
    return differ(absl::StrCat("written by tcpstate ", ha.tcpstate_version,
                               " and ", hb.tcpstate_version));
  }
  if (ha.shards != hb.shards) {
    return differ(absl::StrCat("shard ", ha.shard, "/", ha.shards, " and ",
                               hb.shard, "/", hb.shards,
                               " come from different shard counts"));
  }
  if (ha.fingerprint != hb.fingerprint || ha.filter != hb.filter) {
    return differ("analysed with different options or capture filters");
  }
  const PartTrailer& ta = a.trailer();
  const PartTrailer& tb = b.trailer();
  bool same_inputs = ha.inputs == hb.inputs && ta.digest == tb.digest &&
                     ta.summary.packets == tb.summary.packets &&
                     ta.summary.bytes == tb.summary.bytes &&
                     ta.inputs.size() == tb.inputs.size();
  for (size_t i = 0; same_inputs && i < ta.inputs.size(); ++i) {
    same_inputs = ta.inputs[i].packets == tb.inputs[i].packets &&
                  ta.inputs[i].bytes == tb.inputs[i].bytes;
  }
  if (!same_inputs) {
    return differ("they were read from different inputs");
  }
  return absl::OkStatus();
}

struct OpenParts {
  std::vector<std::unique_ptr<PartReader>> by_shard;  // index K
  std::vector<std::string> names;                     // by K
};

absl::StatusOr<OpenParts> OpenAll(const std::vector<std::string>& paths) {
  std::vector<std::unique_ptr<PartReader>> readers;
  for (const std::string& path : paths) {
    absl::StatusOr<std::unique_ptr<PartReader>> r = PartReader::Open(path);
    if (!r.ok()) {
      return r.status();
    }
    readers.push_back(std::move(*r));
  }
  for (size_t i = 1; i < readers.size(); ++i) {
    absl::Status s = CheckTogether(paths[0], *readers[0], paths[i], *readers[i]);
    if (!s.ok()) {
      return s;
    }
  }
  const uint64_t n = readers[0]->header().shards;
  OpenParts parts;
  parts.by_shard.resize(static_cast<size_t>(std::min<uint64_t>(n, paths.size())));
  parts.names.resize(parts.by_shard.size());
  if (paths.size() > n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "merge: ", paths.size(), " parts given for ", n, " shards"));
  }
  for (size_t i = 0; i < readers.size(); ++i) {
    const uint64_t k = readers[i]->header().shard;
    if (k >= parts.by_shard.size()) {
      break;  // some other shard is missing: said below
    }
    if (parts.by_shard[k] != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("merge: shard ", k, "/", n, " is given twice: '",
                       parts.names[k], "' and '", paths[i], "'"));
    }
    parts.names[k] = paths[i];
    parts.by_shard[k] = std::move(readers[i]);
  }
  for (uint64_t k = 0; k < n; ++k) {
    if (k >= parts.by_shard.size() || parts.by_shard[k] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "merge: shard ", k, "/", n, " is missing (every shard from 0 to ",
          n - 1, " must be given once)"));
    }
  }
  return parts;
}

}  // namespace

int RunShard(const CliOptions& options, absl::string_view version) {
  absl::StatusOr<std::unique_ptr<PcapFileSource>> source =
      PcapFileSource::Open(FileSourceOptionsOf(options));
  if (!source.ok()) {
    return Fail(source.status().message());
  }
  if (options.output.empty() && isatty(STDOUT_FILENO) == 1) {
    return Fail("--shard writes a binary part: give -o FILE (or redirect "
                "standard output)");
  }
  std::ofstream file;
  const absl::StatusOr<std::ostream*> opened =
      OpenReportOutput(options.output, file);
  if (!opened.ok()) {
    return Fail(opened.status().message());
  }
  AnalyzerOptions a = AnalyzerOptionsOf(options);
  a.ladders = LadderMode::kOff;
  PartHeader header;
  header.tcpstate_version = std::string(version);
  header.shard = options.shard;
  header.shards = options.shards;
  header.fingerprint = AnalysisFingerprint(a);
  header.filter = options.filter;
  header.inputs = options.inputs;
  PartWriter writer(*opened, header);
  ShardRun run(a, static_cast<size_t>(options.shard),
               static_cast<size_t>(options.shards), &writer);
  ProgressMeter progress(
      ProgressWanted(isatty(STDERR_FILENO) == 1, options.quiet) ? &std::cerr
                                                                : nullptr,
      [] { return absl::Now(); });
  PartTrailer trailer;
  trailer.error = Feed(**source, run, progress);
  progress.Finish();
  trailer.summary = run.Finish();
  trailer.summary.timestamps_backwards = (*source)->timestamps_backwards();
  trailer.created = run.created();
  trailer.inputs = (*source)->inputs();
  trailer.digest = run.digest();
  writer.Finish(trailer);
  if (!**opened) {
    return Fail("cannot write the part" +
                (options.output.empty() ? std::string()
                                        : " to '" + options.output + "'"));
  }
  if (!trailer.error.empty()) {
    return Fail(trailer.error);
  }
  return kExitOk;
}

int RunMerge(const CliOptions& cli, absl::string_view version) {
  absl::StatusOr<CiInputs> ci = LoadCiInputs(cli.ci);
  if (!ci.ok()) {
    return Fail(ci.status().message());
  }
  absl::StatusOr<OpenParts> parts = OpenAll(cli.parts);
  if (!parts.ok()) {
    return Fail(parts.status().message());
  }
  const PartHeader& header = parts->by_shard[0]->header();
  const PartTrailer& trailer = parts->by_shard[0]->trailer();
  if (header.tcpstate_version != version) {
    // Another version may analyse or render differently: the report would
    // be neither version's single run.
    return Fail(absl::StrCat(
        "cannot merge '", parts->names[0], "': written by tcpstate ",
        header.tcpstate_version, ", and this is tcpstate ", version,
        " (merge with the tcpstate that wrote the parts)"));
  }
  // The inputs and options are the shard runs': the report's come from
  // this command line.
  CliOptions options = cli;
  options.inputs = header.inputs;
  options.filter = header.filter;
  AnalyzerOptions a = AnalyzerOptionsOf(options);
  if (!DecodeAnalysisFingerprint(header.fingerprint, &a)) {
    return Fail(absl::StrCat(parts->names[0],
                             ": damaged part: its options do not decode"));
  }
  std::ofstream file;
  const absl::StatusOr<std::ostream*> opened =
      OpenReportOutput(options.output, file);
  if (!opened.ok()) {
    return Fail(opened.status().message());
  }
  std::ostream& out = **opened;
  const bool sunk = RecordsLeaveAsTheyFinish(options.format);
  StreamingSink sink(options.format, &out);
  const std::optional<absl::Time> first = trailer.summary.first_packet_time;
  sink.set_first_packet_time([first] { return first; });
  // Parts hold no ladders: html and mermaid draw them from a second read
  // of the inputs, by the paths the shard runs were given (standard input
  // cannot be read again: the page then says segments were not recorded).
  const bool second_read = LaddersFromSecondRead(options);
  a.ladders = LadderMode::kOff;
  ShardMerge merge(CollectorOptionsOf(a), sunk ? &sink : nullptr,
                   parts->by_shard.size());
  std::vector<PartReader*> readers;
  for (const std::unique_ptr<PartReader>& p : parts->by_shard) {
    readers.push_back(p.get());
  }
  if (absl::Status s =
          ReplayParts(readers, trailer.summary.last_packet_time, merge);
      !s.ok()) {
    return Fail(s.message());
  }
  uint64_t created = 0;
  for (const std::unique_ptr<PartReader>& p : parts->by_shard) {
    created += p->trailer().created;
  }
  AnalysisResult result = merge.collector().Finish(trailer.summary, created);
  result.tcpstate_version = TcpstateVersion();
  result.inputs = trailer.inputs;
  result.error = trailer.error;
  result.summary.timestamps_backwards = trailer.summary.timestamps_backwards;
  if (second_read) {
    // As many shards as the parts (their caps split the same way), so the
    // second read numbers the connections as the parts did.
    AddLadders(options, a,
               std::min(parts->by_shard.size(), kMaxLadderThreads), result);
  }
  return ReportOffline(options, *ci, result, sink, out);
}

}  // namespace tcpstate
