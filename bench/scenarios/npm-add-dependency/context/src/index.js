// Orders API: an Express service that validates orders and keeps them in memory.
"use strict";

const express = require("express");
const helmet = require("helmet");
const morgan = require("morgan");
const Joi = require("joi");
const { v4: uuid } = require("uuid");
const dayjs = require("dayjs");

const orderSchema = Joi.object({
  customer: Joi.string().min(1).required(),
  lines: Joi.array()
    .items(Joi.object({ sku: Joi.string().required(), quantity: Joi.number().integer().min(1).required() }))
    .min(1)
    .required(),
});

const orders = new Map();
const app = express();
app.use(helmet());
app.use(morgan("tiny"));
app.use(express.json());

app.post("/orders", (request, response) => {
  const { error, value } = orderSchema.validate(request.body);
  if (error) {
    response.status(400).json({ error: error.message });
    return;
  }
  const order = { id: uuid(), createdAt: dayjs().toISOString(), ...value };
  orders.set(order.id, order);
  response.status(201).json(order);
});

app.get("/orders/:id", (request, response) => {
  const order = orders.get(request.params.id);
  if (!order) {
    response.status(404).json({ error: "no such order" });
    return;
  }
  response.json(order);
});

const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log(`orders api on ${port}`));
