#include "aebench/pipeline/epoch_strips.h"

#include <algorithm>
#include <cmath>

#include "aebench/plot/figures.h"

namespace aebench {
namespace {

constexpr std::int64_t kMostStrips = 8;

std::string hex_of(const torch::Tensor& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  const auto flat = bytes.contiguous();
  const auto* data = flat.data_ptr<std::uint8_t>();
  std::string text;
  text.reserve(std::size_t(flat.numel()) * 2);
  for (std::int64_t i = 0; i < flat.numel(); ++i) {
    text += kDigits[data[i] >> 4];
    text += kDigits[data[i] & 15];
  }
  return text;
}

// The bytes of `text`, shaped; an undefined tensor when the text does not fill the shape.
torch::Tensor bytes_of(const std::string& text, const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (const auto dim : shape) count *= dim;
  if (count <= 0 || std::int64_t(text.size()) != 2 * count) return {};
  auto bytes = torch::empty(shape, torch::kUInt8);
  auto* data = bytes.data_ptr<std::uint8_t>();
  const auto digit = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::int64_t i = 0; i < count; ++i)
    data[i] = std::uint8_t(digit(text[2 * i]) * 16 + digit(text[2 * i + 1]));
  return bytes;
}

}  // namespace

std::vector<std::int64_t> strip_epochs(std::int64_t epochs) {
  std::vector<std::int64_t> chosen;
  const std::int64_t count = std::min(kMostStrips, epochs);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t epoch =
        count == 1
            ? epochs
            : 1 + std::int64_t(std::llround(double(i) * double(epochs - 1) / double(count - 1)));
    if (chosen.empty() || chosen.back() != epoch) chosen.push_back(epoch);
  }
  return chosen;
}

EpochStrips::EpochStrips(torch::Tensor images, std::int64_t epochs)
    : images_(std::move(images)), wanted_(strip_epochs(epochs)) {}

void EpochStrips::restore(const nlohmann::json& summary_extras) {
  if (!summary_extras.is_object() || !summary_extras.contains("epoch_strips")) return;
  const auto& saved = summary_extras.at("epoch_strips");
  const auto shape = saved.value("shape", std::vector<std::int64_t>{});
  const auto epochs = saved.value("epochs", std::vector<std::int64_t>{});
  const auto pixels = saved.value("pixels", std::vector<std::string>{});
  for (std::size_t i = 0; i < epochs.size() && i < pixels.size(); ++i) {
    const auto strip = bytes_of(pixels[i], shape);
    if (!strip.defined()) continue;  // a damaged entry: that strip is missing, training is not
    epochs_.push_back(epochs[i]);
    strips_.push_back(strip);
  }
}

void EpochStrips::after_epoch(AutoencoderImpl& model, std::int64_t epoch) {
  if (std::find(wanted_.begin(), wanted_.end(), epoch) == wanted_.end()) return;
  if (std::find(epochs_.begin(), epochs_.end(), epoch) != epochs_.end()) return;
  const bool training = model.is_training();
  torch::Tensor reconstructions;
  {
    torch::NoGradGuard no_grad;
    model.eval();
    reconstructions = model.forward(images_);
  }
  model.train(training);
  epochs_.push_back(epoch);
  strips_.push_back((reconstructions.to(torch::kFloat32).clamp(0.0, 1.0) * 255.0)
                        .round()
                        .to(torch::kUInt8)
                        .to(torch::kCPU));
}

nlohmann::json EpochStrips::to_json() const {
  nlohmann::json pixels = nlohmann::json::array();
  for (const auto& strip : strips_) pixels.push_back(hex_of(strip));
  return {{"epochs", epochs_},
          {"shape", strips_.empty() ? std::vector<std::int64_t>{}
                                    : std::vector<std::int64_t>(strips_.front().sizes().begin(),
                                                                strips_.front().sizes().end())},
          {"pixels", pixels}};
}

Canvas EpochStrips::draw(const std::string& title) const {
  std::vector<ImageRow> rows = {{"original", images_.to(torch::kCPU)}};
  for (std::size_t i = 0; i < strips_.size(); ++i)
    rows.push_back({"epoch " + std::to_string(epochs_[i]), strips_[i].to(torch::kFloat32) / 255.0});
  return draw_image_grid(rows, {}, {title, 3, 4, false});
}

}  // namespace aebench
