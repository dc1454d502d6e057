#if AEBENCH_CATCH2_MAJOR >= 3
#include "support/catch.h"

// Catch2 3 keeps its main in a library of its own; this is the same main, without that link.
int main(int argc, char* argv[]) {
  return Catch::Session().run(argc, argv);
}
#else
#define CATCH_CONFIG_MAIN
#include "support/catch.h"
#endif
