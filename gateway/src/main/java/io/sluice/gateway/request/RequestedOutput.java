package io.sluice.gateway.request;

/**
 * One entry of a request's {@code outputs} list.
 *
 * @param name the output's name
 * @param classificationCount the classification extension's k (top-k as BYTES {@code
 *     "value:index[:label]"}), 0 for the raw tensor
 * @param binaryData HTTP only: the output goes in the binary section of the response
 */
public record RequestedOutput(String name, int classificationCount, boolean binaryData) {}
