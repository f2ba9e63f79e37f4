#include "session/fault.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace iscsi::session {
namespace {

TEST(Fault, TableIsIndexedByEnumValue) {
  std::size_t i = 0;
  for (const FaultInfo& f : all_faults()) {
    EXPECT_EQ(static_cast<std::size_t>(f.fault), i++) << f.name;
    EXPECT_EQ(&fault_info(f.fault), &f);
  }
}

TEST(Fault, NamesAreUniqueAndRoundTrip) {
  std::set<std::string> seen;
  for (const FaultInfo& f : all_faults()) {
    EXPECT_TRUE(seen.insert(std::string(f.name)).second) << f.name;
    EXPECT_EQ(fault_from_name(f.name), f.fault);
    EXPECT_FALSE(f.section.empty());
    EXPECT_FALSE(f.rule.empty());
  }
  EXPECT_FALSE(fault_from_name("no-such-fault").has_value());
  EXPECT_FALSE(fault_from_name("").has_value());
}

TEST(Fault, SetHoldsOnlyWhatWasAdded) {
  FaultSet s;
  EXPECT_TRUE(s.empty());
  s.add(Fault::SkipReject);
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(s.has(Fault::SkipReject));
  for (const FaultInfo& f : all_faults()) {
    if (f.fault != Fault::SkipReject) {
      EXPECT_FALSE(s.has(f.fault)) << f.name;
    }
  }
}

}  // namespace
}  // namespace iscsi::session
