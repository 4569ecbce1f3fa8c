import { ref } from 'vue';
import { api } from './api/client';
import type { Admdvs } from './api/types';
import { servedLabels } from './vocabulary';

/** 统筹区 from `GET /api/v1/admdvs`, loaded once per tab. */
export const places = ref<Admdvs[]>([]);
let loading: Promise<void> | null = null;

export function loadPlaces(): Promise<void> {
  loading ??= api.admdvs().then(
    ({ items }) => {
      places.value = items;
    },
    (error) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** "四川省 成都市" for 510100; the code itself when unknown. */
export function placeName(code: string | null | undefined): string {
  if (!code) return '';
  const unit = places.value.find((p) => p.admdvs === code);
  if (!unit) return code;
  const province = places.value.find((p) => p.admdvs === unit.prov_admdvs);
  return province && province.admdvs !== unit.admdvs
    ? `${province.admdvs_name} ${unit.admdvs_name}`
    : unit.admdvs_name;
}

/** "安徽省" for 340000: the vocabulary's province names (cases/labels.ts), else the 统筹区's own name. */
export function provinceName(code: string | null | undefined): string {
  if (!code) return '';
  return servedLabels.province?.[code] ?? placeName(code);
}
