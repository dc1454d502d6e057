#!/usr/bin/env bash
# Checks that the include graph has no upward edge: a file in one layer includes headers of
# its own layer or of the layers below it, never above. The order (lowest first) is the
# architecture; docs/development.md explains each layer.
#
#   bash scripts/check_layers.sh     # exit 0 when clean, 1 listing every upward include
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

layers=(io plot artefacts config data models train analysis report pipeline bench sweep cli)
rank_of() {
  local i
  for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }; done
  echo -1  # the root of include/aebench/ (errors.h, version.h): below every layer
}

violations=0
while IFS= read -r file; do
  layer=$(echo "$file" | sed -E 's#^(src|include/aebench|tests)/([^/]+)/.*#\2#')
  own=$(rank_of "$layer")
  [ "$own" -ge 0 ] || continue
  while IFS= read -r included; do
    target=$(echo "$included" | sed -E 's#.*"aebench/([^/"]+)/.*#\1#')
    [ "$target" = "$included" ] && continue  # a root header such as aebench/errors.h
    if [ "$(rank_of "$target")" -gt "$own" ]; then
      echo "check_layers: $file ($layer) includes $included (layer $target is above it)"
      violations=$((violations + 1))
    fi
  done < <(grep -oE '#include "aebench/[^"]+"' "$file" || true)
done < <(find src include/aebench -name '*.cpp' -o -name '*.h' | sort)

# Model kinds differ only behind the Autoencoder interface: no casts to a concrete model and no
# tests of model.type's value outside the model layer and the config schema.
while IFS= read -r hit; do
  echo "check_layers: $hit (model-specific code belongs behind the Autoencoder interface)"
  violations=$((violations + 1))
done < <(grep -nE 'dynamic_cast<[A-Za-z]*AutoencoderImpl|model\.type (==|!=) "' -r src include \
           --include='*.cpp' --include='*.h' | grep -vE '^(src|include/aebench)/(models|config)/' || true)

if [ "$violations" -gt 0 ]; then
  echo "check_layers: $violations violation(s); layers from lowest: ${layers[*]}"
  exit 1
fi
echo "check_layers: no upward includes across ${layers[*]}"
