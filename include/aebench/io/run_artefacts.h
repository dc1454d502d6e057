#pragma once
// The files a run writes in its folder (RUN_DIR) and its result subfolders (eval/, probe/,
// export/, codes/), by name: making a folder ready for a run, removing a replaced model's
// results and a killed process's temporaries, and refusing, before any work, a name taken by
// something aebench cannot replace. Only aebench's own names are ever removed, as names.
// Free of LibTorch.

#include <filesystem>
#include <string>
#include <vector>

namespace aebench {

// Makes `dir` ready for a new run. A folder with anything in it (but the lock file and
// aebench's leftover temporary files) is refused with an OutputError unless `overwrite`, in
// which case the files a run writes are removed first: the artefacts named above, the files
// eval, probe, export and encode write in the run's eval/, probe/, export/ and codes/, and
// those folders when that leaves them empty. Every other file (a user's notes, folders) stays.
// A folder that is not a run folder (is_run_folder) but holds a file of an artefact's name, an
// artefact's name that is a folder, and one of those subfolders that is a symbolic link are
// refused before anything goes.
void prepare_run_folder(const std::filesystem::path& dir, bool overwrite);

// Throws OutputError, before any work, when one of `names` (relative to `dir`, such as
// "report.html" or "eval/summary.json") is taken by something aebench cannot replace with its
// file: a folder, FIFO, socket or device (a link is replaced as a name), or a file or link
// where one of its folders goes. `where` names `dir` in the message ("run folder R", "--out C").
void refuse_unreplaceable_names(const std::filesystem::path& dir,
                                const std::vector<std::string>& names, const std::string& where);

// Throws OutputError, before any work, when the folder where one of `names` (relative to `dir`)
// goes, or where its missing folders would be made, does not let this process write: a command
// would compute and then fail to write its results.
void refuse_unwritable_places(const std::filesystem::path& dir,
                              const std::vector<std::string>& names, const std::string& where);

// The files eval, probe, export or encode write in RUN_DIR/`folder` (kEvalFolder, ...), as
// "eval/summary.json", ...
std::vector<std::string> result_files(const std::string& folder);

// Removes what describes a model that is about to be replaced (a --resume saving its model):
// summary.json, report.html and the files eval, probe, export and encode wrote in eval/,
// probe/, export/ and codes/ (aebench's names only; a linked subfolder is refused), so no result
// of the old
// model is shown beside the new. A folder, FIFO or device at the name of any file a run writes
// is refused first, as prepare_run_folder refuses it.
void remove_model_results(const std::filesystem::path& dir);

// Whether `file` is named as aebench names its temporaries: ".NAME.aebench-tmp-PID" with NAME one
// of its artefacts' names (or "NAME.tmp-PID", the form of earlier versions).
bool is_aebench_temporary(const std::filesystem::path& file);

// Removes the temporary files a killed aebench left behind in `dir` and its result subfolders
// (eval/, probe/, export/, codes/): only
// names of aebench's own form, ".NAME.aebench-tmp-PID" (or an artefact's "NAME.tmp-PID", the
// form of earlier versions).
void remove_leftovers(const std::filesystem::path& dir);

// Removes from `dir` the temporaries ".NAME.aebench-tmp-PID" of the files `names` (an --out
// folder's, whose writer holds its lock): a link goes as a name, its target stays.
void remove_temporaries_of(const std::filesystem::path& dir, const std::vector<std::string>& names);

}  // namespace aebench
