-- At most one seat increase in flight per subscription: two concurrent increases computed
-- from the same seat count must not both charge. (Portable: partial indexes work on both.)
CREATE UNIQUE INDEX orders_one_seat_increase_in_flight ON orders (subscription_id)
    WHERE phase = 'created' AND kind = 'seat_increase';
