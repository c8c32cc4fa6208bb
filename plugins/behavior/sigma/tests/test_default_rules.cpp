#include "sigma_test_util.hpp"
