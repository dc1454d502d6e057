#include <iostream>

#include "aebench/config/config_docs.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_config_docs(CLI::App& app, ConfigDocsCommandOptions&) {
  return app.add_subcommand("config-docs",
                            "Print the config reference (Markdown) generated from the schema: "
                            "aebench config-docs > docs/config.md");
}

int run_config_docs(const ConfigDocsCommandOptions&) {
  std::cout << config_docs_markdown();
  return 0;
}

}  // namespace aebench::cli
