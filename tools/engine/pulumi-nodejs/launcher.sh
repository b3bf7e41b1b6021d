#!/bin/sh
# Installed by tools/build-engine.sh as pulumi-resource-pulumi-nodejs, the
# plugin the engine starts to host dynamic providers; Pulumi's own launcher
# from @pulumi/pulumi is installed beside it as pulumi-resource-pulumi-nodejs.sdk
# and does the work.
#
# The language host built here drops a program's Pulumi.yaml `nodeargs`, so
# the test harness passes them in NODE_OPTIONS, which every Node.js process
# the engine starts inherits. A released Pulumi CLI gives them to the program
# alone, on its command line, so the harness also names the NODE_OPTIONS its
# caller gave in KUBE_ACCESS_ENGINE_NODE_OPTIONS, and the dynamic providers'
# host runs with those, as it would under a released CLI. Without that
# variable (a shell of tools/env.sh, say) NODE_OPTIONS is left as it is.
if [ -n "${KUBE_ACCESS_ENGINE_NODE_OPTIONS+set}" ]; then
  NODE_OPTIONS=$KUBE_ACCESS_ENGINE_NODE_OPTIONS
  export NODE_OPTIONS
fi
exec "$0.sdk" "$@"
