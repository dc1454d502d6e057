#pragma once
// python/aebench_model.py, compiled in (CMake generates its definition from the file), so that
// `aebench export` puts the loader beside the files it loads.

namespace aebench {

extern const char kPythonLoaderSource[];

}  // namespace aebench
