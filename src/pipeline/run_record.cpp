#include "aebench/pipeline/run_record.h"

#include <unistd.h>

#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stopwatch.h"
#include "aebench/version.h"

namespace aebench {

namespace {

std::string host_name() {
  char host[256] = "";
  if (::gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

}  // namespace

nlohmann::ordered_json start_run_record(const std::filesystem::path& folder, bool continuing,
                                        const TrainSession& session) {
  nlohmann::ordered_json record;
  if (continuing) {
    const RegularFileText file = read_regular_file(folder / kRunMarkerFile);
    if (file.ok()) record = nlohmann::ordered_json::parse(file.bytes, nullptr, false);
  }
  if (!record.is_object() || !record.contains("sessions") || !record["sessions"].is_array())
    record = {{"format_version", kRunFormatVersion},
              {"created", utc_timestamp()},
              {"sessions", nlohmann::ordered_json::array()}};
  record["format_version"] = kRunFormatVersion;
  record["sessions"].push_back({{"command", session.command},
                                {"overrides", session.overrides},
                                {"host", host_name()},
                                {"aebench", kVersion},
                                {"libtorch", session.libtorch},
                                {"started", utc_timestamp()},
                                {"finished", nullptr}});
  return record;
}

void finish_run_record(nlohmann::ordered_json& record) {
  if (!record["sessions"].empty()) record["sessions"].back()["finished"] = utc_timestamp();
}

nlohmann::ordered_json session_provenance(const nlohmann::ordered_json& record) {
  const auto& sessions = record["sessions"];
  nlohmann::ordered_json provenance =
      sessions.empty() ? nlohmann::ordered_json::object() : sessions.back();
  provenance["sessions"] = sessions.size();
  return provenance;
}

}  // namespace aebench
