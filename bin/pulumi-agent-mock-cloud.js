#!/usr/bin/env node
// `pulumi-agent-mock-cloud [--port N] [--difficulty N] [--host H] [--demo-human LOGIN:TOKEN]`: a mock Pulumi
// Cloud on loopback for trying pulumi-agent without an account (see the README's "Try it" section).
"use strict";
require("../dist/mock-cloud.js");
