import { type BgNbdFit, fitBgNbd } from "./bgnbd.ts";
import { fitGammaGamma, type GammaGammaFit } from "./gamma-gamma.ts";
import type { CustomerSummaries } from "./summaries.ts";

/** Both fits of the customer model on one set of summaries. */
export interface CustomerModelFit {
  customers: number;
  bgnbd: BgNbdFit;
  /** Undefined when no customer has a repeat purchase with positive spend. */
  gammaGamma: GammaGammaFit | undefined;
}

/** Fits the BG/NBD (purchases, dropout) and the Gamma-Gamma (spend) to customer summaries. */
export function fitCustomerModel(summaries: CustomerSummaries): CustomerModelFit {
  const bgnbd = fitBgNbd(summaries);
  const spenders = summaries.x.some((x, i) => x > 0 && (summaries.meanSpend[i] as number) > 0);
  return {
    customers: summaries.keys.length,
    bgnbd,
    gammaGamma: spenders ? fitGammaGamma(summaries.x, summaries.meanSpend) : undefined,
  };
}
