#include <gtest/gtest.h>
TEST(TsharkWire, Placeholder) { GTEST_FAIL() << "not written yet"; }
