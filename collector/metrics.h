/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET /metrics: the collector's counters in the Prometheus text exposition
 * format (version 0.0.4): drops by reason, per VNI and per sender,
 * packets and bytes written, files and bytes on disk, active flows, and
 * health as a gauge.
 */
#ifndef VTAP_COLLECTOR_METRICS_H
#define VTAP_COLLECTOR_METRICS_H

#include "collector/http.h"

void metrics_reply(struct collector *c, struct evhttp_request *req,
		   const char *rest, const struct evkeyvalq *q);

#endif
