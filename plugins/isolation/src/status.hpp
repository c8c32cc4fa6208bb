// The plugin's status JSON (also the details of every action result):
// whether the host is isolated, by which table and rules, until when, the
// self-test's verdict, the last change and the Prometheus "metrics" array.
// Written by Controller::status() (status.cpp) from the controller's state.
#pragma once

#include "controller.hpp"
