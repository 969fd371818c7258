#!/usr/bin/env bash
# The key pair with which the hub in docker-compose.yml logs in to the compose SFTP server as the
# example partners GB and IT. Made once into .compose/ (git-ignored); run it before
# `docker compose up`, which mounts the public half into the sftp service and the private half into
# the hub. Local development only: the private key is left readable by the container's user.
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/.compose"
mkdir -p "$dir"
if [ ! -f "$dir/sftp_key" ]; then
  ssh-keygen -q -t ed25519 -N '' -C 'tracehub-compose' -f "$dir/sftp_key"
  chmod 644 "$dir/sftp_key"
fi
echo "$dir/sftp_key(.pub)"
