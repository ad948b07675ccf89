"""The conversions between the two engines the tests know, by name of the pair: each is the
source engine's mapping to a neutral kind followed by the target's mapping from it. The
product names no engine; these name them so the tests read as the cases they are."""
