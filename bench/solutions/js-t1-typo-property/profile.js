function city(user) {
  return user.address.city;
}

module.exports = { city };
