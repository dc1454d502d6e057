#pragma once
// Files written whole or not at all: a temporary ".NAME.aebench-tmp-PID" beside the file,
// fsync, rename. Free of LibTorch.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace aebench {

// The mark in a temporary's name: ".NAME" + kTemporaryMark + the writer's process id.
inline constexpr char kTemporaryMark[] = ".aebench-tmp-";

// The temporary this process writes `path` through: ".NAME.aebench-tmp-PID" beside it.
std::filesystem::path temporary_path(const std::filesystem::path& path);

// Writes `contents` to `path` atomically (a temporary ".NAME.aebench-tmp-PID" beside it, fsync,
// rename, fsync of the folder). The temporary is created new (O_EXCL, O_NOFOLLOW): a leftover
// of that name, a symbolic link included, is removed first, never opened; the rename replaces
// a link at `path` itself, not its target.
// Throws OutputError naming the path and the OS reason.
void write_file_atomically(const std::filesystem::path& path, const std::string& contents);

// Checks, before long work, that write_file_atomically(path, ...) can succeed: `path` is not a
// folder and its folder takes a new file (one is created and removed). Throws OutputError
// naming the path and the reason.
void require_writable_file(const std::filesystem::path& path);

// Pretty-printed JSON (2-space indent, trailing newline), written atomically.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value);
// The same, keeping the keys in the order they were inserted (a reading order).
void write_json_file(const std::filesystem::path& path, const nlohmann::ordered_json& value);

}  // namespace aebench
