/**
 * Load generators that talk to a running Sluice (or Triton) over the wire, open-loop, with latency
 * measured from the intended send time so coordinated omission is corrected.
 */
package io.sluice.loadtest;
