/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON endpoints of /api/v1 and /healthz (shapes documented in the
 * README's API section). Each is an http_handler (see http.h) that reads
 * the collector and replies once.
 */
#ifndef VTAP_COLLECTOR_API_H
#define VTAP_COLLECTOR_API_H

#include "collector/http.h"

void api_healthz(struct collector *c, struct evhttp_request *req,
		 const char *rest, const struct evkeyvalq *q);
void api_status(struct collector *c, struct evhttp_request *req,
		const char *rest, const struct evkeyvalq *q);
void api_timeseries(struct collector *c, struct evhttp_request *req,
		    const char *rest, const struct evkeyvalq *q);
void api_protocols(struct collector *c, struct evhttp_request *req,
		   const char *rest, const struct evkeyvalq *q);
void api_flows(struct collector *c, struct evhttp_request *req,
	       const char *rest, const struct evkeyvalq *q);
void api_talkers(struct collector *c, struct evhttp_request *req,
		 const char *rest, const struct evkeyvalq *q);
void api_files(struct collector *c, struct evhttp_request *req,
	       const char *rest, const struct evkeyvalq *q);
/* POST: start draining (/healthz answers 503) or stop draining. */
void api_drain(struct collector *c, struct evhttp_request *req,
	       const char *rest, const struct evkeyvalq *q);
void api_undrain(struct collector *c, struct evhttp_request *req,
		 const char *rest, const struct evkeyvalq *q);

#endif
