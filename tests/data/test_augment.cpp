#include <set>
#include <utility>

#include "aebench/data/augment.h"
#include "aebench/data/noise.h"
#include "support/catch.h"

namespace {

// The (down, across) offset that turns `image` into `shifted` ([C, H, W] each), searched over
// -max_shift..max_shift with zero fill; (99, 99) when none does.
std::pair<int, int> offset_between(const torch::Tensor& image, const torch::Tensor& shifted,
                                   int max_shift) {
  const auto height = image.size(1), width = image.size(2);
  for (int down = -max_shift; down <= max_shift; ++down)
    for (int across = -max_shift; across <= max_shift; ++across) {
      auto expected = torch::zeros_like(image);
      const auto rows = height - std::abs(down), columns = width - std::abs(across);
      expected.narrow(1, std::max(down, 0), rows)
          .narrow(2, std::max(across, 0), columns)
          .copy_(
              image.narrow(1, std::max(-down, 0), rows).narrow(2, std::max(-across, 0), columns));
      if (torch::equal(expected, shifted)) return {down, across};
    }
  return {99, 99};
}

}  // namespace

TEST_CASE("random shifts move each image by its own whole-pixel offset within the limit") {
  constexpr int kMaxShift = 2;
  const auto images = torch::rand({64, 3, 9, 7});
  const auto shifted = aebench::shift_randomly(images, kMaxShift, aebench::make_cpu_generator(5));
  REQUIRE(shifted.sizes() == images.sizes());
  std::set<std::pair<int, int>> offsets;
  for (std::int64_t i = 0; i < images.size(0); ++i) {
    const auto offset = offset_between(images[i], shifted[i], kMaxShift);
    INFO("image " << i);
    REQUIRE(offset.first != 99);
    offsets.insert(offset);
  }
  // 64 draws from 25 offsets: all but a few appear, the unshifted image among them.
  CHECK(offsets.size() >= 15);
  CHECK(offsets.count({0, 0}) == 1);
  CHECK(offsets.count({-2, 2}) + offsets.count({2, -2}) + offsets.count({2, 2}) >= 1);
}

TEST_CASE("random shifts are reproducible from the generator and off at a limit of 0") {
  const auto images = torch::rand({8, 1, 28, 28});
  CHECK(torch::equal(aebench::shift_randomly(images, 0), images));
  const auto first = aebench::shift_randomly(images, 1, aebench::make_cpu_generator(3));
  const auto again = aebench::shift_randomly(images, 1, aebench::make_cpu_generator(3));
  const auto other = aebench::shift_randomly(images, 1, aebench::make_cpu_generator(4));
  CHECK(torch::equal(first, again));
  CHECK_FALSE(torch::equal(first, other));
}

TEST_CASE("a shift keeps every pixel of content that stays inside the frame") {
  // A 4x4 block away from the borders survives any shift of up to 3 pixels whole.
  auto images = torch::zeros({20, 1, 12, 12});
  images.narrow(2, 4, 4).narrow(3, 4, 4).fill_(1.0);
  const auto shifted = aebench::shift_randomly(images, 3, aebench::make_cpu_generator(9));
  CHECK(shifted.sum({1, 2, 3}).eq(16.0).all().item<bool>());
}
