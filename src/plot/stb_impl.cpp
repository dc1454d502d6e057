// The one translation unit that compiles the stb single-header libraries' implementations.
// Everything else includes the headers for their declarations only.

// stb_image_write's zero-initialised structs trip -Wmissing-field-initializers; the code is
// not ours to fix.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#define STB_TRUETYPE_IMPLEMENTATION
#include <stb_truetype.h>

#pragma GCC diagnostic pop
