#pragma once
// docs/config.md, generated from the config schema (config/schema.h): a section per config
// section with a table of its keys (type, default, allowed values, whether --resume may change
// it, meaning), the rules between keys and the resume rule. `aebench config-docs` prints it; a
// test fails when the checked-in docs/config.md differs. Free of LibTorch.

#include <string>

namespace aebench {

std::string config_docs_markdown();

}  // namespace aebench
