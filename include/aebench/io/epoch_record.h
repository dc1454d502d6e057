#pragma once
// One row of a run's history: what metrics.csv holds, what the loss curve draws.
// Free of LibTorch.

#include <cstdint>
#include <limits>

namespace aebench {

struct EpochRecord {
  std::int64_t epoch = 0;    // 1-based
  double train_loss = 0.0;   // mean per-pixel training loss over the epoch's batches
  double val_loss = 0.0;     // the same loss on the validation split (noisy inputs if denoising)
  double val_mse = 0.0;      // mean squared error per pixel on the validation split
  double val_psnr_db = 0.0;  // 10 log10(1 / val_mse): pixel values span [0, 1]
  double seconds = 0.0;      // wall time of the epoch, training and validation
  double lr = 0.0;           // the learning rate the epoch trained at (train.schedule)
  // Variational models: the validation split's evidence lower bound terms, per image (the
  // reconstruction loss summed over its values, and KL(q(z|x) || N(0, I))); NaN otherwise.
  double val_reconstruction = std::numeric_limits<double>::quiet_NaN();
  double val_kl = std::numeric_limits<double>::quiet_NaN();
  bool has_elbo() const { return val_kl == val_kl; }  // not NaN
};

}  // namespace aebench
