#pragma once
// Internal to src/config/: the schema's tables (schema_tables*.cpp), built once by schema.cpp.

#include <cstdint>
#include <vector>

#include "aebench/config/schema.h"

namespace aebench {

// The widest layer a config may ask for (model.hidden, model.latent, pretrain.classifier): a
// cap that refuses absurd sizes before anything is allocated.
inline constexpr std::int64_t kMaxLayerWidth = 1 << 16;

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
