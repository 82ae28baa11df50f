// Runtime settings of a static deployment of the admin app. apiUrl: where the botgate API
// answers (its /trpc); empty means the origin this page is served from.
window.BOTGATE_ADMIN = { apiUrl: "" };
