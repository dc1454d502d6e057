#include "aebench/data/dataset.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include "aebench/config/data_location.h"
#include "aebench/data/cifar.h"
#include "aebench/data/idx.h"
#include "aebench/errors.h"

namespace aebench {
namespace {

// uint8 pixels and labels as a Split of uint8 images [count, channels, side, side].
Split to_split(std::vector<std::uint8_t>& pixels, const std::vector<std::uint8_t>& labels,
               std::int64_t channels, std::int64_t side) {
  const auto count = static_cast<std::int64_t>(labels.size());
  Split split;
  // The tensor takes the bytes over rather than copying them.
  auto* owned = new std::vector<std::uint8_t>(std::move(pixels));
  split.images = torch::from_blob(
      owned->data(), {count, channels, side, side}, [owned](void*) { delete owned; },
      torch::kUInt8);
  split.labels = torch::from_blob(const_cast<std::uint8_t*>(labels.data()), {count}, torch::kUInt8)
                     .to(torch::kInt64);
  return split;
}

// Byte pixels binarised at `binarize` (> 0) on the [0, 1] scale: 255 where pixel / 255 (in
// float32, as unit_floats computes it) is above it, else 0; unchanged when `binarize` is 0.
void binarize_bytes(Split& split, double binarize) {
  if (binarize <= 0) return;
  split.images = unit_floats(split.images).gt(binarize).to(torch::kUInt8).mul_(255);
}

Split read_cifar(const std::filesystem::path& dir, const std::string& split_name) {
  CifarImages images = read_cifar_split(dir, split_name);
  return to_split(images.pixels, images.labels, kCifarChannels, kCifarSide);
}

Split read_idx(const std::filesystem::path& dir, const std::string& split_name) {
  const auto images_path = find_idx_file(dir, split_name, "images");
  const auto labels_path = find_idx_file(dir, split_name, "labels");
  IdxImages images = read_idx_images(images_path);
  const IdxLabels labels = read_idx_labels(labels_path);
  check_idx_pair(images, labels, images_path.string(), labels_path.string());
  return to_split(images.pixels, labels.labels, 1, static_cast<std::int64_t>(images.rows));
}

// The training (`train`) or test split of the dataset `options` names, as its files hold it.
Split read_split(const DataOptions& options, bool train) {
  if (options.dataset == "cifar10") return read_cifar(options.dir, train ? "train" : "test");
  return read_idx(options.dir, train ? "train" : "t10k");
}

std::vector<std::int64_t> to_vector(const torch::Tensor& labels) {
  const auto contiguous = labels.to(torch::kCPU).contiguous();
  const auto* data = contiguous.data_ptr<std::int64_t>();
  return std::vector<std::int64_t>(data, data + contiguous.numel());
}

Split keep_classes(const Split& split, const std::vector<int>& classes) {
  if (classes.empty()) return split;
  std::vector<std::int64_t> indices;
  const auto labels = to_vector(split.labels);
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (std::find(classes.begin(), classes.end(), labels[i]) != classes.end())
      indices.push_back(static_cast<std::int64_t>(i));
  return select(split, indices);
}

std::map<std::int64_t, std::int64_t> count_classes(const std::vector<std::int64_t>& labels) {
  std::map<std::int64_t, std::int64_t> counts;
  for (const auto label : labels) ++counts[label];
  return counts;
}

Split limit(const Split& split, std::int64_t count, std::uint64_t seed, const std::string& key) {
  if (count <= 0 || count >= split.size()) return split;
  const auto labels = to_vector(split.labels);
  const auto classes = static_cast<std::int64_t>(count_classes(labels).size());
  if (count < classes)
    throw ConfigError(key + ": " + std::to_string(count) + " is fewer than the " +
                      std::to_string(classes) + " classes need (one image each); use " + key +
                      " >= " + std::to_string(classes));
  return select(split, stratified_subset(labels, count, seed));
}

// The smallest (round_up) or largest multiple of 0.01 on that side of `value`, as text.
std::string hundredths(double value, bool round_up) {
  const double steps =
      round_up ? std::ceil(value * 100.0 - 1e-9) : std::floor(value * 100.0 + 1e-9);
  std::ostringstream text;
  text << steps / 100.0;
  return text.str();
}

// Refuses a validation fraction that cannot give every class at least one image on both
// sides of the split, saying which values would. `labels`: the training split's.
void check_hold_out(const std::vector<std::int64_t>& labels, double fraction,
                    std::int64_t train_limit) {
  const auto counts = count_classes(labels);
  const auto images = static_cast<std::int64_t>(labels.size());
  const auto classes = static_cast<std::int64_t>(counts.size());
  const auto held = static_cast<std::int64_t>(std::llround(fraction * double(images)));
  std::ostringstream prefix;
  prefix << "data.val: " << fraction << " of " << images << " training images ";
  for (const auto& [label, members] : counts)
    if (members < 2)
      throw ConfigError(prefix.str() + "has only " + std::to_string(members) + " of class " +
                        std::to_string(label) +
                        "; holding out needs at least 2 images of each class (one each side); use "
                        "a larger data.train_limit or fewer data.classes");
  if (held < classes) {
    std::string advice = "use data.val >= " + hundredths(double(classes) / double(images), true);
    const auto limit = static_cast<std::int64_t>(std::ceil(double(classes) / fraction - 1e-9));
    if (train_limit > 0) advice += " or data.train_limit >= " + std::to_string(limit);
    throw ConfigError(prefix.str() + "is " + std::to_string(held) + ", fewer than the " +
                      std::to_string(classes) + " classes need (one each); " + advice);
  }
  if (images - held < classes)
    throw ConfigError(prefix.str() + "leaves " + std::to_string(images - held) +
                      " for training, fewer than the " + std::to_string(classes) +
                      " classes need (one each); use data.val <= " +
                      hundredths(double(images - classes) / double(images), false));
}

// Splits `train` into (rest, held out) with `fraction` of each class held out, and at least
// one image of each class on both sides.
std::pair<Split, Split> hold_out(const Split& train, double fraction, std::uint64_t seed,
                                 std::int64_t train_limit) {
  const auto labels = to_vector(train.labels);
  check_hold_out(labels, fraction, train_limit);
  const auto count = static_cast<std::int64_t>(std::llround(fraction * double(labels.size())));
  const auto held = stratified_subset(labels, count, seed, /*keep_per_class=*/1);
  std::vector<bool> is_held(labels.size(), false);
  for (const auto index : held) is_held[index] = true;
  std::vector<std::int64_t> rest;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (!is_held[i]) rest.push_back(static_cast<std::int64_t>(i));
  return {select(train, rest), select(train, held)};
}

}  // namespace

std::vector<std::int64_t> stratified_subset(const std::vector<std::int64_t>& labels,
                                            std::int64_t count, std::uint64_t seed,
                                            std::int64_t keep_per_class) {
  std::map<std::int64_t, std::vector<std::int64_t>> by_class;
  for (std::size_t i = 0; i < labels.size(); ++i)
    by_class[labels[i]].push_back(static_cast<std::int64_t>(i));
  const double total = static_cast<double>(labels.size());
  // Each class gets between `least` (one, when it can spare it) and `most` (its size less
  // keep_per_class) items: check that `count` lies within their sums before apportioning.
  std::map<std::int64_t, std::int64_t> least, most;
  std::int64_t least_sum = 0, most_sum = 0;
  for (const auto& [label, members] : by_class) {
    most[label] = std::max<std::int64_t>(0, std::int64_t(members.size()) - keep_per_class);
    least[label] = std::min<std::int64_t>(1, most[label]);
    least_sum += least[label];
    most_sum += most[label];
  }
  if (count < least_sum || count > most_sum)
    throw std::invalid_argument("stratified_subset: expected a count in [" +
                                std::to_string(least_sum) + ", " + std::to_string(most_sum) +
                                "], found " + std::to_string(count));
  // Largest-remainder apportionment within those bounds.
  std::map<std::int64_t, std::int64_t> quota;
  std::vector<std::pair<double, std::int64_t>> remainders;
  std::int64_t assigned = 0;
  for (const auto& [label, members] : by_class) {
    const double exact = double(count) * double(members.size()) / total;
    quota[label] = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(exact)),
                                            least[label], most[label]);
    assigned += quota[label];
    remainders.push_back({exact - std::floor(exact), label});
  }
  std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  // Both loops end: the bounds' sums bracket `count`, so a class can always move.
  for (std::size_t i = 0; assigned < count; i = (i + 1) % remainders.size()) {
    const auto label = remainders[i].second;
    if (quota[label] < most[label]) ++quota[label], ++assigned;
  }
  for (std::size_t i = 0; assigned > count; i = (i + 1) % remainders.size()) {
    const auto label = remainders[remainders.size() - 1 - i].second;
    if (quota[label] > least[label]) --quota[label], --assigned;
  }
  std::mt19937_64 generator(seed);
  std::vector<std::int64_t> chosen;
  for (auto& [label, members] : by_class) {
    std::shuffle(members.begin(), members.end(), generator);
    chosen.insert(chosen.end(), members.begin(), members.begin() + quota[label]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

torch::Tensor unit_floats(const torch::Tensor& images) {
  if (images.scalar_type() != torch::kUInt8) return images;
  return torch::div(images, 255.0);
}

Split select(const Split& split, const std::vector<std::int64_t>& indices) {
  const auto index = torch::tensor(indices, torch::kInt64).to(split.images.device());
  return {split.images.index_select(0, index), split.labels.index_select(0, index)};
}

Split to_device(const Split& split, const torch::Device& device) {
  return {split.images.to(device), split.labels.to(device)};
}

namespace {

// A relative data.dir that load_config found nowhere: one error naming every place it looked.
void require_data_folder(const DataOptions& options) {
  std::error_code error;
  if (options.dir_searched.empty() || std::filesystem::is_directory(options.dir, error)) return;
  std::string places;
  for (const auto& place : options.dir_searched) places += (places.empty() ? "" : ", ") + place;
  throw DataError("data.dir \"" + options.dir + "\": expected a folder with the " +
                  options.dataset + " files, found none in " + places + "; " +
                  data_dir_fix(options.dir));
}

uLong crc_of(const torch::Tensor& tensor, uLong crc) {
  const torch::Tensor bytes = tensor.contiguous().cpu();
  return crc32_z(crc, static_cast<const Bytef*>(bytes.data_ptr()),
                 static_cast<z_size_t>(bytes.numel() * bytes.element_size()));
}

std::string fingerprint_of(const Dataset& data) {
  uLong crc = crc32_z(0L, Z_NULL, 0);
  for (const Split* split : {&data.train, &data.val, &data.test})
    if (split->size() > 0) crc = crc_of(split->labels, crc_of(split->images, crc));
  char text[16];
  std::snprintf(text, sizeof text, "crc32:%08lx", static_cast<unsigned long>(crc));
  return text;
}

}  // namespace

Dataset load_dataset(const DataOptions& options, std::uint64_t seed) {
  require_data_folder(options);
  const std::filesystem::path dir = options.dir;
  Dataset data;
  // Distinct seeds per use so that changing one limit does not reshuffle another split.
  Split train = limit(keep_classes(read_split(options, true), options.classes), options.train_limit,
                      seed * 4 + 1, "data.train_limit");
  data.test = limit(keep_classes(read_split(options, false), options.classes), options.test_limit,
                    seed * 4 + 2, "data.test_limit");
  if (train.size() == 0 || data.test.size() == 0)
    throw DataError(dir.string() + ": expected images of the classes in data.classes, found none");
  if (options.val_fraction > 0) {
    std::tie(data.train, data.val) =
        hold_out(train, options.val_fraction, seed * 4 + 3, options.train_limit);
    binarize_bytes(data.val, options.binarize);
  } else {
    data.train = train;
  }
  binarize_bytes(data.train, options.binarize);
  binarize_bytes(data.test, options.binarize);
  if (options.val_fraction <= 0) data.val = data.test;
  data.fingerprint = fingerprint_of(data);
  return data;
}

SplitKind parse_split(const std::string& name, const std::string& flag) {
  for (std::size_t i = 0; i < std::size(kSplitNames); ++i)
    if (name == kSplitNames[i]) return static_cast<SplitKind>(i);
  throw ConfigError(flag + ": expected train, val or test, found \"" + name + "\"");
}

const char* split_name(SplitKind kind) {
  return kSplitNames[static_cast<std::size_t>(kind)];
}

const Split& split_of(const Dataset& data, SplitKind kind) {
  switch (kind) {
    case SplitKind::kTrain:
      return data.train;
    case SplitKind::kVal:
      return data.val;
    case SplitKind::kTest:
      return data.test;
  }
  throw std::invalid_argument("split_of: unknown split");
}

}  // namespace aebench
