#include "aebench/artefacts/artefacts.h"

#include <algorithm>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/plot/png.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

fs::path inside(const fs::path& folder, const std::string& file) {
  const fs::path relative(file);
  const bool climbs = std::any_of(relative.begin(), relative.end(),
                                  [](const fs::path& part) { return part == ".."; });
  if (file.empty() || relative.is_absolute() || climbs)
    throw OutputError("artefact " + file + ": expected a path inside " + folder.string() +
                      ", found one outside it");
  // eval/ or probe/ made here, never followed when it is a link (run_folder.h)
  return make_real_subfolder(folder, relative.parent_path()) / relative.filename();
}

}  // namespace

std::string Artefacts::file_list() const {
  std::string list;
  const auto append = [&](const std::string& file) { list += (list.empty() ? "" : ", ") + file; };
  for (const auto& figure : figures) append(figure.file);
  for (const auto& document : documents) append(document.file);
  for (const auto& text : texts) append(text.file);
  return list;
}

void write_artefacts(const fs::path& folder, const Artefacts& artefacts) {
  for (const auto& figure : artefacts.figures)
    write_png(inside(folder, figure.file), figure.picture);
  for (const auto& document : artefacts.documents)
    write_json_file(inside(folder, document.file), document.content);
  for (const auto& text : artefacts.texts)
    write_file_atomically(inside(folder, text.file), text.content);
}

}  // namespace aebench
