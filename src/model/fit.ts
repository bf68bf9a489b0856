import { type BgNbdFit, fitBgNbd } from "./stats/bgnbd.ts";
import { fitGammaGamma, type GammaGammaFit } from "./stats/gamma-gamma.ts";
import type { CustomerSummaries } from "./stats/summaries.ts";
import {
  summarizeTransactionsFile,
  type TransactionsFileOptions,
  type TransactionsFileSummary,
} from "./transactions-file.ts";

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

/**
 * Warnings for fits that should not be trusted. NaN standard errors mean the likelihood has no
 * proper maximum there (too few or too uniform customers), even when the optimizer stopped cleanly.
 */
export function fitWarnings(fit: CustomerModelFit): string[] {
  const warnings: string[] = [];
  const identified = (errors: object) => Object.values(errors).every(Number.isFinite);
  if (!fit.bgnbd.converged)
    warnings.push("the BG/NBD fit did not converge; its estimates are not reliable");
  else if (!identified(fit.bgnbd.standardErrors))
    warnings.push(
      "the data do not identify the BG/NBD parameters (no standard errors); too few customers?",
    );
  const gg = fit.gammaGamma;
  if (gg === undefined)
    warnings.push("no repeat purchase with a positive amount: no Gamma-Gamma fit");
  else if (!gg.converged)
    warnings.push("the Gamma-Gamma fit did not converge; its estimates are not reliable");
  else if (!identified(gg.standardErrors))
    warnings.push("the data do not identify the Gamma-Gamma parameters (no standard errors)");
  return warnings;
}

/**
 * Use case of `nightjar model fit`: reads a transactions file into customer summaries (no
 * database) and fits both models; `onRead` is told how much was read before the fit starts.
 */
export async function fitTransactionsFile(
  options: TransactionsFileOptions & {
    path: string;
    onRead?: (rows: number, customers: number) => void;
  },
): Promise<{ read: TransactionsFileSummary; fit: CustomerModelFit; warnings: string[] }> {
  const { path, onRead, ...readOptions } = options;
  const read = await summarizeTransactionsFile(path, readOptions);
  onRead?.(read.rows, read.summaries.keys.length);
  const fit = fitCustomerModel(read.summaries);
  return { read, fit, warnings: fitWarnings(fit) };
}
