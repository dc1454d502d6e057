#include "aebench/data/noise.h"

#include <ATen/CPUGeneratorImpl.h>

namespace aebench {
namespace {

c10::optional<at::Generator> to_c10(const std::optional<at::Generator>& generator) {
  return generator ? c10::optional<at::Generator>(*generator) : c10::nullopt;
}

}  // namespace

at::Generator make_cpu_generator(std::uint64_t seed) {
  return at::detail::createCPUGenerator(seed);
}

torch::Tensor add_noise(const torch::Tensor& clean, const NoiseOptions& options,
                        std::optional<at::Generator> generator) {
  if (!options.enabled()) return clean;
  const auto tensor_options = clean.options();
  if (options.type == "gaussian") {
    auto noisy =
        clean + options.std * torch::randn(clean.sizes(), to_c10(generator), tensor_options);
    return options.clip ? noisy.clamp_(0.0, 1.0) : noisy;
  }
  const auto draw = torch::rand(clean.sizes(), to_c10(generator), tensor_options);
  if (options.type == "masking") return clean.masked_fill(draw < options.fraction, 0.0);
  // salt_and_pepper: the lower half of the hit range becomes pepper (0), the upper half salt (1).
  const auto pepper = draw < options.fraction / 2;
  const auto salt = (draw >= options.fraction / 2) & (draw < options.fraction);
  return clean.masked_fill(pepper, 0.0).masked_fill(salt, 1.0);
}

}  // namespace aebench
