#pragma once
// Internal to src/config/: the schema's tables (schema_tables*.cpp), built once by schema.cpp.

#include <vector>

#include "aebench/config/schema.h"

namespace aebench {

std::vector<SectionSchema> make_config_sections();
// Defined in schema_tables_training.cpp.
SectionSchema train_section();
SectionSchema early_stopping_section();
SectionSchema schedule_section();
SectionSchema pretrain_section();
SectionSchema probe_section();
SectionSchema analysis_section();
SectionSchema output_section();
std::vector<RuleSchema> make_config_rules();

}  // namespace aebench
