/**
 * What a request carries besides its tensors, in protocol-neutral terms: the {@link
 * io.sluice.gateway.request.RequestContext} both decoders fill, the headers they are configured
 * to keep, and the requested outputs. It depends on nothing else in the gateway, so the model
 * layer's version selection and the core can both read it.
 */
package io.sluice.gateway.request;
