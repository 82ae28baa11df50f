// What the workerd tests cannot do from inside the worker: stop and start the origin and the
// Upstash endpoint, read the origin's /internal/resolve counters, and play the parts of the
// system that are not HTTP APIs yet (an operator bootstrapping an account, the deployment
// workflow moving statuses, a domain passing DNS verification). Each of those writes the
// database and then writes through to Redis with the API's own publishRoutes(), as the
// real workflow step will.
import { randomBytes } from "node:crypto";
import { bootstrapAccount, buildRouteRecord, publishRoutes, routeRowSelect } from "@botgate/api";
import { routeTargetsOf } from "@botgate/cache";
import { isDnsVerificationStatus, isTlsCertificateIssuanceStatus } from "@botgate/core";
import { dnsStatusFromSeed, tlsStatusFromSeed } from "@botgate/db";
import { Hono } from "hono";
import type { CannedAnswer, EdgeTestStack } from "./stack.ts";

export function controlApp(stack: EdgeTestStack) {
  const { runtime } = stack.api;
  const services = {
    db: runtime.db,
    routes: runtime.routes,
    config: runtime.config,
    provisioning: runtime.provisioning,
    secrets: runtime.secrets,
    logger: console,
  };
  const app = new Hono();
  app.onError((error, c) => c.json({ error: String(error) }, 500));

  app.get("/resolve-calls", (c) => {
    const prefix = c.req.query("prefix");
    const count =
      prefix === undefined
        ? stack.resolveCalls(c.req.query("target") ?? "")
        : stack.resolveCallsWithPrefix(prefix);
    return c.json({ count });
  });

  app.post("/upstreams", async (c) => {
    const { id, origin, upstash } = await stack.addUpstreams();
    return c.json({ id, originUrl: origin.url, upstashUrl: upstash.url, upstashToken: upstash.token });
  });

  /** The origin answers every request with this canned response (body `null`: the real API again). */
  app.post("/upstreams/:id/origin/answer", async (c) => {
    const upstreams = stack.upstreams(c.req.param("id"));
    if (upstreams === undefined) return c.notFound();
    upstreams.answerInstead(await c.req.json<CannedAnswer | null>());
    return c.json({ ok: true });
  });

  app.post("/upstreams/:id/:service/:action", async (c) => {
    const upstreams = stack.upstreams(c.req.param("id"));
    const service = c.req.param("service");
    const action = c.req.param("action");
    if (upstreams === undefined || (service !== "origin" && service !== "upstash")) return c.notFound();
    if (action === "stop") await upstreams[service].stop();
    else if (action === "start") await upstreams[service].resume();
    else return c.notFound();
    return c.json({ ok: true });
  });

  app.post("/accounts", async (c) => {
    const account = await bootstrapAccount(runtime.db, { username: `edge${randomBytes(6).toString("hex")}` });
    return c.json(account);
  });

  /** A custom domain row of the account, verified or not (what domain.create + domain.verify leave). */
  app.post("/domains", async (c) => {
    const body = await c.req.json<{
      userProfileId: number;
      accountId: number;
      domainName: string;
      isVerified: boolean;
    }>();
    const domain = await runtime.db.chatBotCustomDomain.create({
      data: {
        userProfileId: body.userProfileId,
        accountId: body.accountId,
        domainName: body.domainName,
        isVerified: body.isVerified,
        verifiedAt: body.isVerified ? new Date() : null,
        verificationToken: randomBytes(16).toString("hex"),
      },
    });
    return c.json({ id: domain.id });
  });

  /** A verification run changing a domain's state: every attached chatbot's routing follows. */
  app.post("/domains/:id/verified", async (c) => {
    const id = Number(c.req.param("id"));
    const { isVerified } = await c.req.json<{ isVerified: boolean }>();
    const before = await runtime.db.chatBot.findMany({
      where: { customDomainId: id },
      select: routeRowSelect,
    });
    await runtime.db.$transaction([
      runtime.db.chatBotCustomDomain.update({
        where: { id },
        data: { isVerified, verifiedAt: isVerified ? new Date() : null },
      }),
      runtime.db.chatBot.updateMany({ where: { customDomainId: id }, data: { updatedAt: new Date() } }),
    ]);
    await publishRoutes(
      services,
      before.map((row) => ({
        chatbotId: row.id,
        previousTargets: routeTargetsOf(buildRouteRecord(row, runtime.config)),
      })),
    );
    return c.json({ ok: true });
  });

  /** A deployment workflow step: new DNS/TLS statuses, written through like the real step. */
  app.post("/chatbots/:id/statuses", async (c) => {
    const id = Number(c.req.param("id"));
    const body = await c.req.json<{
      dnsVerificationStatus: unknown;
      tlsCertificateIssuanceStatus: unknown;
    }>();
    if (
      !isDnsVerificationStatus(body.dnsVerificationStatus) ||
      !isTlsCertificateIssuanceStatus(body.tlsCertificateIssuanceStatus)
    ) {
      return c.json({ error: "bad statuses" }, 400);
    }
    await runtime.db.chatBot.update({
      where: { id },
      data: {
        dnsVerificationStatus: dnsStatusFromSeed(body.dnsVerificationStatus),
        tlsCertificateIssuanceStatus: tlsStatusFromSeed(body.tlsCertificateIssuanceStatus),
      },
    });
    await publishRoutes(services, [{ chatbotId: id, previousTargets: [] }]);
    return c.json({ ok: true });
  });

  return app;
}
