#include "error_report.h"

#include <c10/util/Exception.h>

#include <cstdio>
#include <filesystem>

#include "aebench/errors.h"

namespace aebench::cli {

std::string one_line(const std::string& message) {
  std::string line;
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      line += c;
      continue;
    }
    if (c == '\n')
      line += "\\n";
    else if (c == '\r')
      line += "\\r";
    else if (c == '\t')
      line += "\\t";
    else {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", byte);
      line += escape;
    }
  }
  return line;
}

namespace {

ErrorReport classify(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const ConfigError& e) {
    return {"config error", e.what(), kExitUsageError};
  } catch (const DataError& e) {
    return {"data error", e.what(), kExitDataError};
  } catch (const TrainingError& e) {
    return {"training error", e.what(), kExitTrainingError};
  } catch (const Interrupted& e) {
    return {"interrupted", e.what(), 128 + e.signal_number(), true};
  } catch (const OutputError& e) {
    return {"output error", e.what(), kExitOutputError};
  } catch (const std::filesystem::filesystem_error& e) {
    return {"output error", e.what(), kExitOutputError};
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    return {"LibTorch error", message.substr(0, message.find('\n')), kExitOtherError};
  } catch (const std::exception& e) {
    return {"error", e.what(), kExitOtherError};
  } catch (...) {
    return {"error", "an unknown exception", kExitOtherError};
  }
}

}  // namespace

ErrorReport describe_exception(const std::exception_ptr& error) {
  ErrorReport report = classify(error);
  report.message = one_line(report.message);
  return report;
}

}  // namespace aebench::cli
