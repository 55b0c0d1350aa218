#!/usr/bin/env bash
# The plan artifact between a deploy run's plan job and its apply job: encrypted for the apply job
# (openssl cms, AES-256-GCM, to the certificate PLAN_RECIPIENT_CERT) and signed by the plan job
# (the key PLAN_SIGNING_KEY, a secret of the <target>_plan environments only). The signature
# covers a manifest naming the target, the run and the SHA-256 of the encrypted file, so an
# artifact made by anyone else, for another target or in another run is refused before it is
# decrypted. See docs/review.md, "Plan artifacts".
#
#   plan-artifact.sh seal <stack dir> <out dir>   → <out dir>/plan.tgz.cms, <out dir>/plan.sig
#   plan-artifact.sh open <artifact dir> <out dir> → <out dir>/<stack>/ (the stack and its tfplan)
#
# Environment: ENVIRONMENT (the target), GITHUB_RUN_ID; seal: PLAN_RECIPIENT_CERT, PLAN_SIGNING_KEY;
# open: PLAN_SIGNING_PUBLIC_KEY, PLAN_DECRYPTION_KEY. Keys are written to 0600 files and removed.
set -euo pipefail

fail() { echo "::error::$1"; exit 1; }
need() { [ -n "${!1:-}" ] || fail "$2"; }

manifest() { # <encrypted file>
  printf 'vpn-monitor plan artifact\ntarget=%s\nrun=%s\nsha256=%s\n' "$ENVIRONMENT" "$GITHUB_RUN_ID" "$(sha256sum "$1" | cut -d' ' -f1)"
}

mode="${1:-}"
need ENVIRONMENT "ENVIRONMENT is not set"
need GITHUB_RUN_ID "GITHUB_RUN_ID is not set"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077

case "$mode" in
  seal)
    stack="$2" out="$3"
    need PLAN_RECIPIENT_CERT "the repository variable PLAN_RECIPIENT_CERT is not set: see docs/review.md, \"Plan artifacts\""
    need PLAN_SIGNING_KEY "the GitHub environment ${ENVIRONMENT}_plan has no secret PLAN_SIGNING_KEY: see docs/review.md, \"Plan artifacts\""
    printf '%s\n' "$PLAN_RECIPIENT_CERT" > "$work/recipient.pem"
    printf '%s\n' "$PLAN_SIGNING_KEY" > "$work/signing-key.pem"
    mkdir -p "$out"
    # The synthesized stack (configuration, Lambda asset, provider lock file) and the plan:
    # everything apply needs but the providers, which it installs from the lock file.
    tar --exclude=.terraform -czf "$work/plan.tgz" -C "$(dirname "$stack")" "$(basename "$stack")"
    openssl cms -encrypt -binary -aes-256-gcm -in "$work/plan.tgz" -outform DER -out "$out/plan.tgz.cms" "$work/recipient.pem"
    manifest "$out/plan.tgz.cms" > "$work/manifest"
    openssl dgst -sha256 -sign "$work/signing-key.pem" -out "$out/plan.sig" "$work/manifest"
    ;;
  open)
    artifact="$2" out="$3"
    need PLAN_SIGNING_PUBLIC_KEY "the repository variable PLAN_SIGNING_PUBLIC_KEY is not set: see docs/review.md, \"Plan artifacts\""
    need PLAN_DECRYPTION_KEY "the GitHub environment $ENVIRONMENT has no secret PLAN_DECRYPTION_KEY: see docs/review.md, \"Plan artifacts\""
    [ -f "$artifact/plan.tgz.cms" ] && [ -f "$artifact/plan.sig" ] || fail "the plan artifact of $ENVIRONMENT lacks plan.tgz.cms or plan.sig: nothing applied"
    printf '%s\n' "$PLAN_SIGNING_PUBLIC_KEY" > "$work/signing-public.pem"
    manifest "$artifact/plan.tgz.cms" > "$work/manifest"
    # Verified before anything is decrypted: a plan not signed by this run's plan job of this
    # target is refused whole.
    if ! openssl dgst -sha256 -verify "$work/signing-public.pem" -signature "$artifact/plan.sig" "$work/manifest" > /dev/null 2>&1; then
      fail "the plan artifact of $ENVIRONMENT is not signed by the plan job of $ENVIRONMENT in this run (run $GITHUB_RUN_ID): nothing applied"
    fi
    printf '%s\n' "$PLAN_DECRYPTION_KEY" > "$work/decryption-key.pem"
    # AES-256-GCM: a plan altered after encryption does not decrypt either.
    openssl cms -decrypt -binary -inform DER -in "$artifact/plan.tgz.cms" -inkey "$work/decryption-key.pem" -out "$work/plan.tgz"
    mkdir -p "$out"
    tar -xzf "$work/plan.tgz" -C "$out"
    ;;
  *)
    echo "usage: plan-artifact.sh seal <stack dir> <out dir> | open <artifact dir> <out dir>" >&2
    exit 2
    ;;
esac
