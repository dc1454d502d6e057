#include <iostream>

#include "aebench/pipeline/model_export.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_encode(CLI::App& app, EncodeCommandOptions& options) {
  auto* command = app.add_subcommand(
      "encode",
      "Write the codes and labels of a split as NumPy .npy files (SPLIT_codes.npy, "
      "SPLIT_labels.npy) into RUN_DIR/codes");
  add_saved_run_flags(command, options.run);
  add_data_flags(command, options.run, options.split);
  command->add_option("--out", options.out_dir, "Another folder for the files (made if missing)")
      ->check(kNonEmptyPath);
  command->add_flag("--images", options.images,
                    "Also write SPLIT_images.npy, the uint8 images that were encoded");
  return command;
}

int run_encode_command(const EncodeCommandOptions& options) {
  EncodeRequest request;
  request.saved = saved_run_options(options.run);
  request.split = parse_split(options.split, "--split");
  request.images = options.images;
  request.out_dir = options.out_dir;
  const WrittenFiles written = run_encode(options.run.run_dir, request);
  if (!options.run.quiet) {
    for (const auto& note : written.notes) std::cerr << note << '\n';
    std::cerr << "encode: ";
    for (const auto& file : written.files) std::cerr << file << ' ';
    std::cerr << "in " << written.folder.string() << '\n';
  }
  std::cout << written.folder.string() << '\n';
  return 0;
}

}  // namespace aebench::cli
